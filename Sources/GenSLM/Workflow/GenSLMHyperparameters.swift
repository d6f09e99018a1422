import Volt
import VoltNN

extension GenSLMModule {
    /// What a ``GenSLMModule`` is built from, and what its checkpoints save: the root `seed` and the `model:`,
    /// `module:` and `peft:` sections of a configuration file, decoded straight into this type (each key declared
    /// and defaulted once, here).
    public struct Hyperparameters: ConfigurationSection, Sendable, Equatable {
        /// Seed of the initial weights, dropout and adapters (and, in `volt fit`, of the split and shuffle). Default 42.
        public var seed = 42
        /// `model:` — the network and its starting weights.
        public var model = ModelOptions()
        /// `module:` — the training step and its optimizer.
        public var module = TrainingOptions()
        /// `peft:` — LoRA or prompt tuning over frozen base weights, if set.
        public var peft: PEFTMethod?

        /// The defaults.
        public init() {}

        /// The LoRA options of ``peft``, if it is LoRA.
        public var lora: LoRAConfiguration? { if case let .lora(options)? = peft { options } else { nil } }
        /// The prompt-tuning options of ``peft``, if it is prompt tuning.
        public var promptTuning: PromptTuningConfiguration? {
            if case let .promptTuning(options)? = peft { options } else { nil }
        }
        /// The file a PEFT run's frozen base came from (`model.init`), or `nil` for a random base.
        public var peftBaseModel: String? {
            model.initialization == ModelOptions.randomInitialization ? nil : model.initialization
        }
    }

    /// `model:` — the network.
    public struct ModelOptions: ConfigurationSection, Sendable, Equatable {
        /// The architecture, when ``modelConfig`` is unset. Default genslm-tiny.
        public var preset = GenSLMPreset.tiny
        /// `random`, or the file whose weights start the fine-tuning: a Volt checkpoint (`.h5`), a `torch.save`
        /// file, safetensors or a transformers folder. Imported weights decide the architecture. With `peft:` the
        /// file is the frozen base, which checkpoints reference by path and SHA-256. Default random.
        public var initialization = "random"
        /// Recompute each layer's activations in backward. Default false.
        public var gradientCheckpointing = false
        /// Dropout probability overriding the architecture's 0.1, if set.
        public var dropout: Double?
        /// A PEFT LoRA adapter folder (`adapter_config.json` + `adapter_model.safetensors`, as peft's
        /// `save_pretrained` writes) whose adapters start the run, if set; its `adapter_config.json` is the LoRA
        /// configuration, so `peft:` stays unset.
        public var adapter: String?
        /// The architecture of imported weights that match no preset (transformers' `config.json` keys); set by
        /// the import, or by hand.
        public var modelConfig: GPTNeoXConfiguration?
        /// The SHA-256 of the `init` file a PEFT run's frozen base came from; set when the module is built, and
        /// checked when it is rebuilt from a checkpoint.
        public var initSHA256: String?

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case preset, initialization = "init", gradientCheckpointing, dropout, adapter, modelConfig
            case initSHA256 = "init_sha256"
        }

        /// The architecture: ``modelConfig`` when set, else the preset's, with ``dropout`` applied.
        ///
        /// - Throws: ``GPTNeoXError`` for an invalid `model_config`.
        public func architecture() throws -> GPTNeoXConfiguration {
            var configuration = preset.configuration
            if let modelConfig {
                try modelConfig.validate()
                configuration = modelConfig
            }
            if let dropout {
                configuration.hiddenDropout = dropout
                configuration.attentionDropout = dropout
            }
            return configuration
        }
    }

    /// `module:` — the training step.
    public struct TrainingOptions: ConfigurationSection, Sendable, Equatable {
        /// Batches per optimizer step (manual optimization). Default 10, as GenSLM.
        public var accumulationSteps = 10
        /// Learning rate. Default 1e-5.
        public var lr = 1e-5
        /// manual (GenSLM's workflow: the step calls backward and the optimizer) or automatic. Default manual.
        public var optimization = OptimizationMode.manual
        /// adam, adamw, adam8bit, adamw8bit, sgd or adafactor. Default adam.
        public var optimizer = OptimizerName.adam
        /// Weight decay (not on biases and layer norms). Default 0.
        public var weightDecay = 0.0

        /// The defaults.
        public init() {}

        /// Checks the values that have a range.
        public func validate() throws {
            if accumulationSteps < 1 {
                throw ConfigurationValueError(key: "accumulation_steps", reason: "module.accumulation_steps must be at least 1")
            }
        }
    }

    /// The optimizers `module.optimizer` names.
    public enum OptimizerName: String, ConfigurationChoice, Sendable {
        /// `Adam`.
        case adam
        /// `AdamW`.
        case adamw
        /// `Adam8bit`: block-wise 8-bit moments.
        case adam8bit
        /// `AdamW8bit`.
        case adamw8bit
        /// `SGD`.
        case sgd
        /// `Adafactor` with a fixed learning rate.
        case adafactor

        /// Whether its state is block-wise quantized (and so does not shard under zero1–3).
        public var isEightBit: Bool { self == .adam8bit || self == .adamw8bit }
    }

    /// Who steps the optimizer.
    public enum OptimizationMode: String, ConfigurationChoice, Sendable {
        /// The training step calls `manualBackward` and steps every `accumulation_steps` batches (GenSLM's workflow).
        case manual
        /// The step returns the loss; the trainer does the rest.
        case automatic
    }
}


import Volt
import VoltNN

extension GenSLMModule {
    /// What a ``GenSLMModule`` is built from, and what its checkpoints save (`module:`, `model:` and `peft:` of
    /// the configuration file, joined by ``FineTuneConfiguration/moduleHyperparameters()``).
    public struct Hyperparameters: ConfigurationSection, Sendable, Equatable {
        /// genslm-tiny, genslm-25m, genslm-250m or genslm-2.5b; ignored when ``modelConfig`` is set. Default genslm-tiny.
        public var preset = GenSLMPreset.tiny.rawValue
        /// The architecture of imported weights that match no preset (transformers' `config.json` keys).
        public var modelConfig: GPTNeoXConfiguration?
        /// Batches per optimizer step (manual optimization). Default 10, as GenSLM.
        public var accumulationSteps = 10
        /// Learning rate. Default 1e-5.
        public var lr = 1e-5
        /// The optimizer. Default adam.
        public var optimizer = OptimizerName.adam
        /// manual (GenSLM's workflow: the step calls backward and the optimizer) or automatic. Default manual.
        public var optimization = OptimizationMode.manual
        /// Weight decay (not on biases and layer norms). Default 0.
        public var weightDecay = 0.0
        /// Seed of the initial weights, dropout and adapters. Default 42.
        public var seed = 42
        /// Recompute each layer's activations in backward. Default false.
        public var gradientCheckpointing = false
        /// Dropout probability overriding the architecture's, if set.
        public var dropout: Double?
        /// LoRA adapters over frozen base weights, if set.
        public var lora: LoRAConfiguration?
        /// Prompt tuning over frozen base weights, if set.
        public var promptTuning: PromptTuningConfiguration?
        /// The file whose weights are the frozen base of a LoRA or prompt-tuning run (random when unset).
        public var baseWeights: String?
        /// The base file's SHA-256, checked when the module is rebuilt from a checkpoint.
        public var baseSHA256: String?
        /// A PEFT adapter folder whose weights start the LoRA adapters.
        public var adapter: String?

        /// The defaults.
        public init() {}
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
    }

    /// Who steps the optimizer.
    public enum OptimizationMode: String, ConfigurationChoice, Sendable {
        /// The training step calls `manualBackward` and steps every `accumulation_steps` batches (GenSLM's workflow).
        case manual
        /// The step returns the loss; the trainer does the rest.
        case automatic
    }
}

import LLaMA
import Volt
import VoltNN

extension CausalLMModule {
    /// What a ``CausalLMModule`` is built from, and what its checkpoints save: the root `seed` and the `model:`,
    /// `module:`, `peft:` and `generation:` sections of a text configuration file, decoded straight into this type.
    public struct Hyperparameters: ConfigurationSection, Sendable, Equatable {
        /// Seed of the initial weights, the adapters and sampling. Default 42.
        public var seed = 42
        /// `model:` — the network.
        public var model = ModelOptions()
        /// `module:` — the training step and its optimizer.
        public var module = TrainingOptions()
        /// `peft:` — LoRA over frozen base weights; unset trains the whole model.
        public var peft: LoRAOptions?
        /// `generation:` — how validation generates the summaries it scores.
        public var generation = GenerationOptions()

        /// The defaults.
        public init() {}
    }

    /// `model:` — the network.
    public struct ModelOptions: ConfigurationSection, Sendable, Equatable {
        /// llama or mixtral (`volt fit` also reads gpt_neox here, as the GenSLM layout). Default llama.
        public var family = CausalLMFamily.llama
        /// The shape, when ``config`` is unset. Default tiny.
        public var preset = CausalLMPreset.tiny
        /// A full architecture in transformers' `config.json` keys, replacing the preset.
        public var config: LlamaConfiguration?
        /// `random` (the seeded initialisation), or a transformers folder (`config.json` with `model.safetensors`,
        /// sharded or not, or `pytorch_model.bin`) whose architecture and weights start the fine-tuning. Default random.
        public var initialization = ModelOptions.randomInitialization

        /// The `init` value that starts from the seeded initialisation.
        public static let randomInitialization = "random"

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey { case family, preset, config, initialization = "init" }

        /// The architecture: the `init` folder's `config.json`, else ``config`` when set, else the preset's;
        /// Mixtral-style experts for `family: mixtral`.
        ///
        /// - Throws: `LlamaError` for an invalid architecture; `TorchImportError` for an unreadable `config.json`.
        public func architecture() throws -> LlamaConfiguration {
            var c = config ?? preset.configuration
            if initialization != Self.randomInitialization {
                c = try LlamaConfiguration(transformersConfigAt: initialization + "/config.json")
            }
            if family == .mixtral && !c.isMixtureOfExperts { c = c.mixtral(experts: 4, perToken: 2) }
            if family == .llama && c.isMixtureOfExperts {
                throw ConfigurationValueError(key: "family", reason: "model.config has experts: set model.family to mixtral")
            }
            try c.validate()
            return c
        }
    }

    /// `module:` — the training step.
    public struct TrainingOptions: ConfigurationSection, Sendable, Equatable {
        /// Learning rate. Default 2e-4.
        public var lr = 2e-4
        /// adamw, adam or sgd. Default adamw.
        public var optimizer = CausalLMOptimizer.adamw
        /// Weight decay (not on norms and biases). Default 0.
        public var weightDecay = 0.0
        /// Batches per optimizer step: the loss is divided by it and the optimizer steps every that many batches
        /// and at the last batch of the epoch. Default 1.
        public var accumulationSteps = 1

        /// The defaults.
        public init() {}

        /// `accumulation_steps` is at least 1, `lr` positive.
        public func validate() throws {
            if accumulationSteps < 1 { throw ConfigurationValueError(key: "accumulation_steps", reason: "must be at least 1") }
            if !(lr > 0) { throw ConfigurationValueError(key: "lr", reason: "must be positive") }
        }
    }

    /// `peft:` — LoRA adapters (PEFT's `LoraConfig`) on the attention projections.
    public struct LoRAOptions: ConfigurationSection, Sendable, Equatable {
        /// lora (the only method for this module). Default lora.
        public var type = CausalLMPEFTType.lora
        /// Rank of the update. Default 8.
        public var r = 8
        /// The update is scaled by alpha / r. Default 16.
        public var alpha = 16.0
        /// Dropout on the adapter's input. Default 0.05.
        public var dropout = 0.05
        /// The adapted `Linear` layers, by name or dotted suffix. Default [q_proj, v_proj], as the seeds.
        public var targetModules = ["q_proj", "v_proj"]

        /// The defaults.
        public init() {}

        /// VoltNN's LoRA configuration of these options.
        public var configuration: LoRAConfiguration {
            LoRAConfiguration(r: r, alpha: alpha, dropout: dropout, targetModules: .names(targetModules))
        }

        /// `r` at least 1, `dropout` in [0, 1).
        public func validate() throws {
            do { try configuration.validate() } catch { throw ConfigurationValueError(key: "r", reason: "\(error)") }
        }
    }

    /// `generation:` — the summaries validation generates for ROUGE.
    public struct GenerationOptions: ConfigurationSection, Sendable, Equatable {
        /// Generate in validation and log `val_rouge1`, `val_rouge2`, `val_rougeL`, `val_rougeLsum`. Default true.
        public var enabled = true
        /// New tokens per prompt at most (generation also stops at `data.eos_token`). Default 32.
        public var maxNewTokens = 32
        /// greedy or sample. Default greedy.
        public var decoding = CausalLMDecoding.greedy
        /// Sampling temperature (sample). Default 1.
        public var temperature = 1.0
        /// Sample among the k likeliest tokens (sample); unset = all.
        public var topK: Int?
        /// Seed of sampling (with the example's position, so every run draws the same tokens). Default 0.
        public var seed = 0
        /// Stem tokens before scoring, as `rouge-score`'s `use_stemmer`. Default false.
        public var useStemmer = false

        /// The defaults.
        public init() {}

        /// `max_new_tokens` at least 1, `temperature` positive, `top_k` at least 1.
        public func validate() throws {
            if maxNewTokens < 1 { throw ConfigurationValueError(key: "max_new_tokens", reason: "must be at least 1") }
            if !(temperature > 0) { throw ConfigurationValueError(key: "temperature", reason: "must be positive") }
            if let topK, topK < 1 { throw ConfigurationValueError(key: "top_k", reason: "must be at least 1") }
        }
    }
}

/// `model.family` of the text layout.
public enum CausalLMFamily: String, ConfigurationChoice, Sendable {
    /// A dense LLaMA decoder (`LlamaForCausalLM`).
    case llama
    /// A Mixtral-style mixture of experts (`MixtralForCausalLM`); a preset gets 4 experts, 2 per token.
    case mixtral
}

/// `module.optimizer` of the text layout.
public enum CausalLMOptimizer: String, ConfigurationChoice, Sendable {
    /// `AdamW`.
    case adamw
    /// `Adam`.
    case adam
    /// `SGD`.
    case sgd
}

/// `peft.type` of the text layout.
public enum CausalLMPEFTType: String, ConfigurationChoice, Sendable {
    /// Low-rank adapters.
    case lora
}

/// `generation.decoding`.
public enum CausalLMDecoding: String, ConfigurationChoice, Sendable {
    /// The likeliest token each time.
    case greedy
    /// A draw from the softmax of the logits ÷ temperature, among the top-k when `top_k` is set.
    case sample
}

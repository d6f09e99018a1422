import Foundation
import Volt
import VoltNN
import VoltTune

/// The `config.yaml` of `volt fit` (<doc:configuration>). Every key is optional and has the default documented here
/// and in <doc:configuration>; unknown keys are rejected with their file, line and path by `ConfigurationLoader`.
public struct FineTuneConfiguration: ConfigurationSection, Sendable, Equatable {
    /// Seed of the split, the shuffle, the initial weights and dropout. Default 42.
    public var seed = 42
    /// `data:` — the sequences and their batches.
    public var data = DataSection()
    /// `model:` — the network and its starting weights.
    public var model = ModelSection()
    /// `module:` — the training step's settings.
    public var module = ModuleSection()
    /// The Trainer's flags, callbacks and loggers; `max_epochs` defaults to 3 here.
    public var trainer = TrainerConfiguration()
    /// Parameter-efficient fine-tuning (LoRA over frozen base weights), if set.
    public var peft: PEFTSection?
    /// `tune:` — the hyper-parameter search of `volt tune`; absent by default.
    public var tune: TuneSection?

    /// The defaults: Lightning's trainer flags, but 3 epochs.
    public init() { trainer.maxEpochs = 3 }

    /// Reads configuration files (later ones winning) and `--dotted.key value` overrides onto the defaults.
    ///
    /// - Throws: `ConfigurationError` naming the file, line and key of an unknown key or a bad value.
    public static func load(paths: [String], overrides: [(key: String, value: String)] = []) throws -> FineTuneConfiguration {
        try ConfigurationLoader.load(Self.self, paths: paths, overrides: overrides).value
    }

    /// Reads one configuration file (or only the defaults when `nil`) and overrides.
    ///
    /// - Throws: `ConfigurationError` naming the file, line and key of an unknown key or a bad value.
    public static func load(path: String?, overrides: [(key: String, value: String)] = []) throws -> FineTuneConfiguration {
        try load(paths: path.map { [$0] } ?? [], overrides: overrides)
    }

    /// `peft:` — `type: lora` with the options of `LoRAConfiguration` (`r`, `alpha`, `dropout`, `target_modules`,
    /// `bias`, `modules_to_save`, `use_rslora`), or `type: prompt_tuning` with those of
    /// ``PromptTuningConfiguration`` (`num_virtual_tokens`, `prompt_tuning_init`, `prompt_tuning_init_text`).
    public struct PEFTSection: Codable, Sendable, Equatable {
        /// `lora` or `prompt_tuning`. Default lora.
        public var type = "lora"
        /// The LoRA options (type lora).
        public var lora = LoRAConfiguration()
        /// The prompt-tuning options (type prompt_tuning).
        public var promptTuning = PromptTuningConfiguration()

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable { case type }

    }

    /// `data:` — where sequences come from and how they are batched.
    public struct DataSection: ConfigurationSection, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// A FASTA file (plain or .gz), a glob of FASTA files (`data/*.fasta.gz`), or a token shard folder made by
        /// `volt data tokenize`. Default: the rabies nucleoprotein genes of Debian's beast-mcmc-examples.
        public var path = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"
        /// The same as ``path`` (the name the Swift API had before shard folders).
        public var fasta: String {
            get { path }
            set { path = newValue }
        }
        /// `fasta:` is now `path:`.
        public static var renamedKeys: [String: String] { ["fasta": "path"] }
        /// Seed of the split and the shuffle; default: the configuration's `seed` (42).
        public var seed: Int?
        /// `random` (a seeded shuffle per epoch) or `bucketed` (`BucketedSampler`: similar lengths batched
        /// together). Default random.
        public var sampler = SamplerKind.random
        /// Batches per sorting window of the bucketed sampler. Default 100.
        public var bucketWindow = 100
        /// Train/validation fractions. Default [0.8, 0.2].
        public var split = [0.8, 0.2]
        /// Sequences per batch. Default 1.
        public var batchSize = 1
        /// Data-loading threads. Default 2.
        public var numWorkers = 2
        /// Tokens per sequence (truncation); default: the model's maximum positions.
        public var maxLength: Int?
        /// `dynamic` (pad to the longest in the batch) or `fixed` (pad to max_length, as GenSLM). Default dynamic.
        public var padding = PaddingStrategy.dynamic
        /// Count padding positions as loss targets (GenSLM's behaviour). Default false.
        public var countPadInLoss = false

        /// Checks the values that have a range.
        public func validate() throws {
            if batchSize < 1 { throw ConfigurationValueError(key: "batch_size", reason: "data.batch_size must be at least 1") }
            if let maxLength, maxLength < 1 { throw ConfigurationValueError(key: "max_length", reason: "data.max_length must be at least 1") }
            if bucketWindow < 1 { throw ConfigurationValueError(key: "bucket_window", reason: "data.bucket_window must be positive") }
        }

        /// The training sampler of `data.sampler`.
        public enum SamplerKind: String, ConfigurationChoice, Sendable {
            /// A seeded shuffle per epoch.
            case random
            /// Length-bucketed batches.
            case bucketed
        }
    }

    /// `model:` — the network.
    public struct ModelSection: ConfigurationSection, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// genslm-tiny, genslm-25m, genslm-250m or genslm-2.5b. Default genslm-tiny.
        public var preset = "genslm-tiny"
        /// `random`, or a Volt checkpoint (.h5) whose weights start the fine-tuning. Default random.
        public var initialization = "random"
        /// Recompute each layer's activations in backward. Default false.
        public var gradientCheckpointing = false
        /// Dropout probability overriding the preset's 0.1, if set.
        public var dropout: Double?
        /// A PEFT LoRA adapter folder (`adapter_config.json` + `adapter_model.safetensors`, as peft's
        /// `save_pretrained` writes) whose adapters are attached to the model, if set.
        public var adapter: String?

        enum CodingKeys: String, CodingKey {
            case preset, initialization = "init", gradientCheckpointing, dropout, adapter
        }
    }

    /// `module:` — the GenSLM training module.
    public struct ModuleSection: ConfigurationSection, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// Batches per optimizer step. Default 10.
        public var accumulationSteps = 10
        /// Learning rate. Default 1e-5.
        public var lr = 1e-5
        /// `manual` (GenSLM's workflow) or `automatic`. Default manual.
        public var optimization = GenSLMModule.OptimizationMode.manual
        /// adam, adamw, adam8bit, adamw8bit, sgd or adafactor. Default adam.
        public var optimizer = GenSLMModule.OptimizerName.adam
        /// Weight decay (not on biases and layer norms). Default 0.
        public var weightDecay = 0.0
    }

    /// `tune:` — the study `volt tune` runs (`tuning` in VoltTune's documentation).
    public struct TuneSection: ConfigurationSection, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// The study's name in the storage. Default volt-tune.
        public var studyName = "volt-tune"
        /// `sqlite:///relative.db` or `sqlite:////absolute.db`; default: `<trainer.default_root_dir>/study.db`.
        public var storage: String?
        /// The study's total of trials: a rerun continues up to it. Default 20.
        public var nTrials = 20
        /// minimize or maximize. Default minimize.
        public var direction = "minimize"
        /// The metric reported at every validation and returned at the end. Default val_loss.
        public var metric = "val_loss"
        /// tpe, random or grid. Default tpe.
        public var sampler = "tpe"
        /// median, successive_halving or none. Default median.
        public var pruner = "median"
        /// The samplers' seed. Default 0.
        public var seed = 0
        /// TPE's random trials before it models. Default 10 (Optuna's).
        public var nStartupTrials = 10
        /// The median pruner's complete trials before it prunes. Default 5 (Optuna's).
        public var prunerStartupTrials = 5
        /// The median pruner's reports before it prunes a trial. Default 0 (Optuna's).
        public var prunerWarmupSteps = 0
        /// Seconds between heartbeats of a running trial. Default 60.
        public var heartbeatInterval = 60.0
        /// Seconds without a heartbeat after which a RUNNING trial is failed; default 2 × heartbeat_interval.
        public var gracePeriod: Double?
        /// The searched parameters by dotted configuration key.
        public var space: [String: SearchParameterSection] = [:]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case studyName = "study_name", storage, nTrials = "n_trials", direction, metric, sampler, pruner, seed
            case nStartupTrials = "n_startup_trials", prunerStartupTrials = "pruner_startup_trials"
            case prunerWarmupSteps = "pruner_warmup_steps", heartbeatInterval = "heartbeat_interval", gracePeriod = "grace_period", space
        }
    }

    /// One entry of `tune.space`: `{type: float, low: 1.0e-6, high: 1.0e-3, log: true}`,
    /// `{type: int, low: 4, high: 32, step: 4}` or `{type: categorical, choices: [1, 5, 10]}`.
    public struct SearchParameterSection: ConfigurationSection, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// float, int or categorical.
        public var type = "float"
        /// The lowest value (float and int).
        public var low: Double?
        /// The highest value (float and int).
        public var high: Double?
        /// Grid step (float or int); int defaults to 1.
        public var step: Double?
        /// Log-uniform. Default false.
        public var log = false
        /// The choices of a categorical parameter.
        public var choices: [JSONValue]?

        enum CodingKeys: String, CodingKey, CaseIterable { case type, low, high, step, log, choices }
    }
}

extension FineTuneConfiguration: TrainingConfiguration {
    /// The GenSLM module of `model:`, `module:` and `peft:`, weights from `model.init`.
    public func makeModule() throws -> GenSLMModule { try FineTuneRun(self).makeModule() }

    /// The data of `data:`, cut to the module's window.
    public func makeDataModule(for module: GenSLMModule) throws -> FASTADataModule {
        FineTuneRun(self).makeDataModule(maxPositions: module.model.configuration.maxPositionEmbeddings)
    }

    /// The trainer of `trainer:`.
    public func makeTrainer(callbacks: [any Callback]) throws -> Trainer {
        try FineTuneRun(self).makeTrainer(extraCallbacks: callbacks)
    }

    /// Writes the metrics plots beside the logs.
    public func didFit(_ trainer: Trainer) throws { FineTuneRun(self).writeMetricsPlots(trainer) }

    /// The module's hyper-parameters from `model:`, `module:` and the root `seed` (PEFT and weights are added by
    /// ``FineTuneRun/makeModule()``).
    public func moduleHyperparameters() -> GenSLMModule.Hyperparameters {
        var h = GenSLMModule.Hyperparameters()
        h.preset = model.preset
        h.accumulationSteps = module.accumulationSteps
        h.lr = module.lr
        h.optimizer = module.optimizer
        h.optimization = module.optimization
        h.weightDecay = module.weightDecay
        h.seed = seed
        h.gradientCheckpointing = model.gradientCheckpointing
        h.dropout = model.dropout
        return h
    }
}

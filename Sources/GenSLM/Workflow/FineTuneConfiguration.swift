import Foundation

/// The `config.yaml` of `volt fit` (DESIGN.md §7). Every key is optional and has the default documented here
/// and in docs/configuration.md; unknown keys are rejected with their path by ``ConfigurationLoader``.
public struct FineTuneConfiguration: Codable, Sendable, Equatable {
    /// Seed of the split, the shuffle, the initial weights and dropout. Default 42.
    public var seed = 42
    public var data = DataSection()
    public var model = ModelSection()
    public var module = ModuleSection()
    public var trainer = TrainerSection()

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case seed, data, model, module, trainer }

    /// `data:` — where sequences come from and how they are batched.
    public struct DataSection: Codable, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// A FASTA file (plain or .gz), a glob of FASTA files (`data/*.fasta.gz`), or a token shard folder made by
        /// `volt data tokenize`. Default: the rabies nucleoprotein genes of Debian's beast-mcmc-examples.
        public var path = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"
        /// The former name of ``path`` (YAML `data.fasta` is still read as `data.path`).
        public var fasta: String {
            get { path }
            set { path = newValue }
        }
        /// `random` (a seeded shuffle per epoch) or `bucketed` (``BucketedSampler``: similar lengths batched
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path, fasta, split, batchSize = "batch_size", numWorkers = "num_workers", maxLength = "max_length", padding
            case countPadInLoss = "count_pad_in_loss", sampler, bucketWindow = "bucket_window"
        }

        /// The training sampler of `data.sampler`.
        public enum SamplerKind: String, Codable, Sendable {
            /// A seeded shuffle per epoch.
            case random
            /// Length-bucketed batches.
            case bucketed
        }
    }

    /// `model:` — the network.
    public struct ModelSection: Codable, Sendable, Equatable {
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case preset, initialization = "init", gradientCheckpointing = "gradient_checkpointing", dropout
        }
    }

    /// `module:` — the GenSLM training module.
    public struct ModuleSection: Codable, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// Batches per optimizer step. Default 10.
        public var accumulationSteps = 10
        /// Learning rate. Default 1e-5.
        public var lr = 1e-5
        /// `manual` (GenSLM's workflow) or `automatic`. Default manual.
        public var optimization = "manual"
        /// adam, adamw, sgd or adafactor. Default adam.
        public var optimizer = "adam"
        /// Weight decay (not on biases and layer norms). Default 0.
        public var weightDecay = 0.0

        enum CodingKeys: String, CodingKey, CaseIterable {
            case accumulationSteps = "accumulation_steps", lr, optimization, optimizer, weightDecay = "weight_decay"
        }
    }

    /// `trainer:` — every Trainer flag under its snake_case name, plus callbacks and loggers.
    public struct TrainerSection: Codable, Sendable, Equatable {
        /// The defaults.
        public init() {}
        public var maxEpochs = 3
        public var maxSteps = -1
        /// fp32, fp16 or bf16. Default fp32.
        public var precision = "fp32"
        /// single, ddp or zero1. Default single.
        public var strategy = "single"
        /// Processes (MPI ranks) for ddp/zero1. Default 1.
        public var devices = 1
        public var accumulateGradBatches = 1
        public var gradientClipVal: Double?
        public var gradientClipAlgorithm = "norm"
        public var valCheckInterval = 1.0
        public var checkValEveryNEpoch = 1
        public var limitTrainBatches = 1.0
        public var limitValBatches = 1.0
        public var limitTestBatches = 1.0
        public var numSanityValSteps = 2
        public var logEveryNSteps = 50
        public var fastDevRun = 0
        public var overfitBatches = 0
        public var deterministic = false
        public var defaultRootDir = "."
        public var enableProgressBar = true
        public var enableCheckpointing = true
        /// Callbacks: a list of one-key maps (`model_checkpoint`, `early_stopping`, `lr_monitor`).
        public var callbacks: [CallbackEntry] = []
        /// Loggers: `csv`, `tensorboard`. Default [csv].
        public var loggers = ["csv"]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxEpochs = "max_epochs", maxSteps = "max_steps", precision, strategy, devices
            case accumulateGradBatches = "accumulate_grad_batches", gradientClipVal = "gradient_clip_val"
            case gradientClipAlgorithm = "gradient_clip_algorithm", valCheckInterval = "val_check_interval"
            case checkValEveryNEpoch = "check_val_every_n_epoch", limitTrainBatches = "limit_train_batches"
            case limitValBatches = "limit_val_batches", limitTestBatches = "limit_test_batches"
            case numSanityValSteps = "num_sanity_val_steps", logEveryNSteps = "log_every_n_steps", fastDevRun = "fast_dev_run"
            case overfitBatches = "overfit_batches", deterministic, defaultRootDir = "default_root_dir"
            case enableProgressBar = "enable_progress_bar", enableCheckpointing = "enable_checkpointing", callbacks, loggers
        }
    }

    /// One entry of `trainer.callbacks`.
    public enum CallbackEntry: Codable, Sendable, Equatable {
        case modelCheckpoint(ModelCheckpointSection)
        case earlyStopping(EarlyStoppingSection)
        case lrMonitor(LRMonitorSection)

        enum CodingKeys: String, CodingKey, CaseIterable {
            case modelCheckpoint = "model_checkpoint", earlyStopping = "early_stopping", lrMonitor = "lr_monitor"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let v = try c.decodeIfPresent(ModelCheckpointSection.self, forKey: .modelCheckpoint) { self = .modelCheckpoint(v) }
            else if let v = try c.decodeIfPresent(EarlyStoppingSection.self, forKey: .earlyStopping) { self = .earlyStopping(v) }
            else if let v = try c.decodeIfPresent(LRMonitorSection.self, forKey: .lrMonitor) { self = .lrMonitor(v) }
            else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                    debugDescription: "a callback is one of model_checkpoint, early_stopping, lr_monitor"))
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case let .modelCheckpoint(v): try c.encode(v, forKey: .modelCheckpoint)
            case let .earlyStopping(v): try c.encode(v, forKey: .earlyStopping)
            case let .lrMonitor(v): try c.encode(v, forKey: .lrMonitor)
            }
        }
    }

    /// `model_checkpoint:` — ModelCheckpoint's arguments.
    public struct ModelCheckpointSection: Codable, Sendable, Equatable {
        /// The defaults.
        public init() {}
        public var dirpath: String?
        public var filename: String?
        public var monitor: String?
        public var mode = "min"
        public var saveTopK = 1
        public var saveLast = false
        public var everyNEpochs = 1
        public var everyNTrainSteps = 0
        public var autoInsertMetricName = true
        public var saveWeightsOnly = false

        enum CodingKeys: String, CodingKey, CaseIterable {
            case dirpath, filename, monitor, mode, saveTopK = "save_top_k", saveLast = "save_last"
            case everyNEpochs = "every_n_epochs", everyNTrainSteps = "every_n_train_steps"
            case autoInsertMetricName = "auto_insert_metric_name", saveWeightsOnly = "save_weights_only"
        }
    }

    /// `early_stopping:` — EarlyStopping's arguments.
    public struct EarlyStoppingSection: Codable, Sendable, Equatable {
        /// The defaults.
        public init() {}
        public var monitor = "val_loss"
        public var minDelta = 0.0
        public var patience = 3
        public var mode = "min"
        public var stoppingThreshold: Double?
        public var divergenceThreshold: Double?
        public var checkFinite = true

        enum CodingKeys: String, CodingKey, CaseIterable {
            case monitor, minDelta = "min_delta", patience, mode, stoppingThreshold = "stopping_threshold"
            case divergenceThreshold = "divergence_threshold", checkFinite = "check_finite"
        }
    }

    /// `lr_monitor:` — LearningRateMonitor's arguments.
    public struct LRMonitorSection: Codable, Sendable, Equatable {
        /// The defaults.
        public init() {}
        public var loggingInterval = "step"
        enum CodingKeys: String, CodingKey, CaseIterable { case loggingInterval = "logging_interval" }
    }
}

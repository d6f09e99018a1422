import Foundation
import Volt
import VoltNN
import VoltTune

/// The `config.yaml` of `volt fit` (<doc:configuration>). Every key is optional and has the default documented here
/// and in <doc:configuration>; unknown keys are rejected with their path by ``ConfigurationLoader``.
public struct FineTuneConfiguration: Codable, Sendable, Equatable {
    /// Seed of the split, the shuffle, the initial weights and dropout. Default 42.
    public var seed = 42
    public var data = DataSection()
    public var model = ModelSection()
    public var module = ModuleSection()
    public var trainer = TrainerSection()
    /// Parameter-efficient fine-tuning (LoRA over frozen base weights), if set.
    public var peft: PEFTSection?
    /// `tune:` — the hyper-parameter search of `volt tune`; absent by default.
    public var tune: TuneSection?

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case seed, data, model, module, trainer, peft, tune }

    /// `peft:` — `type: lora` with the options of ``LoRAConfiguration`` (`r`, `alpha`, `dropout`, `target_modules`,
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

        /// The option keys of each type.
        static let optionKeys: [String: [String]] = [
            "lora": LoRAConfiguration.CodingKeys.allCases.map(\.stringValue),
            "prompt_tuning": PromptTuningConfiguration.CodingKeys.allCases.map(\.stringValue),
        ]

        /// Every key the section accepts.
        static var keys: [String] { ["type"] + optionKeys.values.flatMap { $0 } }
    }

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
        /// A PEFT LoRA adapter folder (`adapter_config.json` + `adapter_model.safetensors`, as peft's
        /// `save_pretrained` writes) whose adapters are attached to the model, if set.
        public var adapter: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case preset, initialization = "init", gradientCheckpointing = "gradient_checkpointing", dropout, adapter
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
        /// adam, adamw, adam8bit, adamw8bit, sgd or adafactor. Default adam.
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
        /// Seconds a rank may wait in a collective for the others before it ends the job (a peer that hung);
        /// 0 waits forever. Default 60.
        public var collectiveTimeout = 60.0
        public var accumulateGradBatches = 1
        public var gradientClipVal: Double?
        public var gradientClipAlgorithm = "norm"
        /// Validate every this many training batches (an integer) or this share of an epoch (a fraction). Default 1.0.
        public var valCheckInterval: BatchLimit = 1.0
        public var checkValEveryNEpoch = 1
        /// `1` is one batch, `1.0` all of them (Lightning's rule). Default 1.0.
        public var limitTrainBatches: BatchLimit = 1.0
        public var limitValBatches: BatchLimit = 1.0
        public var limitTestBatches: BatchLimit = 1.0
        public var numSanityValSteps = 2
        public var logEveryNSteps = 50
        /// Run this many batches of each loop, without checkpoints or loggers; `true` means 1. Default 0 (off).
        public var fastDevRun = 0
        /// Longest training time, `DD:HH:MM:SS` or seconds; when up, `last.h5` is saved and the fit ends. Default none.
        public var maxTime: String?
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
            case maxTime = "max_time", collectiveTimeout = "collective_timeout"
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

    /// `tune:` — the study `volt tune` runs (Sources/VoltTune/VoltTune.docc/tuning.md).
    public struct TuneSection: Codable, Sendable, Equatable {
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
    public struct SearchParameterSection: Codable, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// float, int or categorical.
        public var type = "float"
        public var low: Double?
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

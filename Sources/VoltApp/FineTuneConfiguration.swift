import GenSLM
import Foundation
import VoltInterop
import Volt
import VoltNN
import VoltSearch

/// The `config.yaml` of `volt fit`: the root `seed` and the `model:`, `module:` and
/// `peft:` sections are decoded straight into the module's hyper-parameters (`GenSLMModule.Hyperparameters`,
/// the value its checkpoints save), beside `data:`, `trainer:` and `tune:`. Every key is optional and has one
/// default, documented on the type that declares it; unknown keys are rejected with their file, line and path by
/// `ConfigurationLoader`.
public struct FineTuneConfiguration: ConfigurationSection, Sendable, Equatable {
    /// The module's hyper-parameters: `seed`, `model:`, `module:` and `peft:` at the root of the file.
    public var hyperparameters = GenSLMModule.Hyperparameters()
    /// `data:` — the sequences and their batches.
    public var data = FASTADataModule.Configuration()
    /// The Trainer's flags, callbacks and loggers; `max_epochs` defaults to 3 here.
    public var trainer = TrainerConfiguration()
    /// `tune:` — the hyper-parameter search of `volt tune`; absent by default.
    public var tune: TuneSection?

    /// The defaults: Lightning's trainer flags, but 3 epochs.
    public init() { trainer.maxEpochs = 3 }

    /// Seed of the split, the shuffle, the initial weights and dropout (the hyper-parameters' `seed`).
    public var seed: Int {
        get { hyperparameters.seed }
        set { hyperparameters.seed = newValue }
    }
    /// `model:` (the hyper-parameters').
    public var model: GenSLMModule.ModelOptions {
        get { hyperparameters.model }
        set { hyperparameters.model = newValue }
    }
    /// `module:` (the hyper-parameters').
    public var module: GenSLMModule.TrainingOptions {
        get { hyperparameters.module }
        set { hyperparameters.module = newValue }
    }
    /// `peft:` (the hyper-parameters').
    public var peft: PEFTMethod? {
        get { hyperparameters.peft }
        set { hyperparameters.peft = newValue }
    }

    private enum CodingKeys: String, CodingKey { case data, trainer, tune, model }
    private enum ModelKeys: String, CodingKey { case family }

    /// Decodes `seed`, `model:`, `module:` and `peft:` into the hyper-parameters and the other sections beside them.
    /// `model.family` may name this layout (`gpt_neox`); ``ConfigurationLayout`` sends `llama` and `mixtral` to the
    /// text layout.
    public init(from decoder: Decoder) throws {
        hyperparameters = try GenSLMModule.Hyperparameters(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let model = try c.nestedContainer(keyedBy: ModelKeys.self, forKey: .model)
        if let family = try model.decodeIfPresent(String.self, forKey: .family), family != ConfigurationLayout.gptNeoXFamily {
            throw DecodingError.dataCorruptedError(forKey: .family, in: model, debugDescription:
                "must be \(ConfigurationLayout.gptNeoXFamily) in this layout (llama and mixtral select the text layout), got \(family)")
        }
        data = try c.decode(FASTADataModule.Configuration.self, forKey: .data)
        trainer = try c.decode(TrainerConfiguration.self, forKey: .trainer)
        tune = try c.decodeIfPresent(TuneSection.self, forKey: .tune)
    }

    /// Encodes the hyper-parameters' keys and the other sections side by side, as one file.
    public func encode(to encoder: Encoder) throws {
        try hyperparameters.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data)
        try c.encode(trainer, forKey: .trainer)
        try c.encodeIfPresent(tune, forKey: .tune)
    }

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

    /// `tune:` — the study `volt tune` runs (`tuning` in VoltSearch's documentation).
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
        public var direction = TuneDirection.minimize
        /// The metric reported at every validation and returned at the end. Default val_loss.
        public var metric = "val_loss"
        /// tpe, random or grid. Default tpe.
        public var sampler = TuneSamplerKind.tpe
        /// median, successive_halving or none. Default median.
        public var pruner = TunePrunerKind.median
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
        /// float, int or categorical. Default float.
        public var type = SearchParameterKind.float
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
    /// The GenSLM module of the hyper-parameters, weights from `model.init` (`GenSLMModule.starting(from:precision:)`).
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
}

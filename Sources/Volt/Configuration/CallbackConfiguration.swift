/// One entry of `trainer.callbacks`: a one-key map naming the callback, with its arguments.
public enum CallbackConfiguration: Codable, Sendable, Equatable {
    /// `model_checkpoint:` — a ``ModelCheckpoint``.
    case modelCheckpoint(ModelCheckpointConfiguration)
    /// `early_stopping:` — an ``EarlyStopping``.
    case earlyStopping(EarlyStoppingConfiguration)
    /// `lr_monitor:` — a ``LearningRateMonitor``.
    case lrMonitor(LearningRateMonitorConfiguration)

    private enum CodingKeys: String, CodingKey { case modelCheckpoint = "model_checkpoint", earlyStopping = "early_stopping", lrMonitor = "lr_monitor" }

    /// Decodes the one-key map.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let v = try c.decodeIfPresent(ModelCheckpointConfiguration.self, forKey: .modelCheckpoint) { self = .modelCheckpoint(v) }
        else if let v = try c.decodeIfPresent(EarlyStoppingConfiguration.self, forKey: .earlyStopping) { self = .earlyStopping(v) }
        else if let v = try c.decodeIfPresent(LearningRateMonitorConfiguration.self, forKey: .lrMonitor) { self = .lrMonitor(v) }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a callback is one of model_checkpoint, early_stopping, lr_monitor"))
        }
    }

    /// Encodes the one-key map.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .modelCheckpoint(v): try c.encode(v, forKey: .modelCheckpoint)
        case let .earlyStopping(v): try c.encode(v, forKey: .earlyStopping)
        case let .lrMonitor(v): try c.encode(v, forKey: .lrMonitor)
        }
    }

    /// The callback.
    public func makeCallback() -> any Callback {
        switch self {
        case let .modelCheckpoint(c):
            ModelCheckpoint(dirpath: c.dirpath, filename: c.filename, monitor: c.monitor, mode: c.mode, saveTopK: c.saveTopK,
                            saveLast: c.saveLast, everyNEpochs: c.everyNEpochs, everyNTrainSteps: c.everyNTrainSteps,
                            autoInsertMetricName: c.autoInsertMetricName, saveWeightsOnly: c.saveWeightsOnly)
        case let .earlyStopping(c):
            EarlyStopping(monitor: c.monitor, minDelta: c.minDelta, patience: c.patience, mode: c.mode,
                          stoppingThreshold: c.stoppingThreshold, divergenceThreshold: c.divergenceThreshold, checkFinite: c.checkFinite)
        case let .lrMonitor(c):
            LearningRateMonitor(loggingInterval: c.loggingInterval)
        }
    }
}

/// `model_checkpoint:` — ``ModelCheckpoint``'s arguments, with its defaults.
public struct ModelCheckpointConfiguration: ConfigurationSection, Sendable, Equatable {
    /// Folder of the checkpoints; default `<log dir>/checkpoints`.
    public var dirpath: String?
    /// File name pattern such as `{epoch}-{val_loss:.2f}`; default `epoch={epoch}-step={step}`.
    public var filename: String?
    /// The metric that ranks checkpoints; none keeps the latest.
    public var monitor: String?
    /// min or max. Default min.
    public var mode = MonitorMode.min
    /// How many best checkpoints to keep; -1 keeps all. Default 1.
    public var saveTopK = 1
    /// Also write `last.h5`. Default false.
    public var saveLast = false
    /// Save after every this many epochs. Default 1.
    public var everyNEpochs = 1
    /// Save every this many optimizer steps (0: off). Default 0.
    public var everyNTrainSteps = 0
    /// Write `name=value` in file names. Default true.
    public var autoInsertMetricName = true
    /// Leave out optimizer and loop state. Default false.
    public var saveWeightsOnly = false

    /// The defaults.
    public init() {}
}

/// `early_stopping:` — ``EarlyStopping``'s arguments, with its defaults.
public struct EarlyStoppingConfiguration: ConfigurationSection, Sendable, Equatable {
    /// The metric watched. Default val_loss.
    public var monitor = "val_loss"
    /// The least change that counts as better. Default 0.
    public var minDelta = 0.0
    /// Validations without improvement before stopping. Default 3.
    public var patience = 3
    /// min or max. Default min.
    public var mode = MonitorMode.min
    /// Stop as soon as the metric reaches this value. Default none.
    public var stoppingThreshold: Double?
    /// Stop as soon as the metric is worse than this value. Default none.
    public var divergenceThreshold: Double?
    /// Stop when the metric is NaN or infinite. Default true.
    public var checkFinite = true

    /// The defaults.
    public init() {}
}

/// `lr_monitor:` — ``LearningRateMonitor``'s arguments.
public struct LearningRateMonitorConfiguration: ConfigurationSection, Sendable, Equatable {
    /// step or epoch. Default step.
    public var loggingInterval = LearningRateMonitor.Interval.step

    /// The defaults.
    public init() {}
}

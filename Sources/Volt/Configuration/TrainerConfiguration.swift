import Foundation

/// Every ``Trainer`` flag, under Lightning's names (snake_case in YAML: `max_epochs`, `precision`, …) and with
/// Lightning's defaults, plus the strategy, callbacks and loggers — the `trainer:` section of a configuration.
///
/// ``Trainer/init(configuration:strategy:callbacks:loggers:)`` builds a trainer from it. Each flag is declared
/// here once; the reference table in the configuration guide is checked against these properties by the tests.
public struct TrainerConfiguration: ConfigurationSection, Sendable, Equatable {
    /// Stop after this many epochs. Default 1000.
    public var maxEpochs = 1000
    /// Stop after this many optimizer steps; -1 means no limit. Default -1.
    public var maxSteps = -1
    /// Longest training time, as `DD:HH:MM:SS` or seconds; when it is up, `last.h5` is saved and the fit ends.
    /// Default none.
    public var maxTime: TimeLimit?
    /// fp32, fp16 or bf16. Default fp32.
    public var precision = Precision.fp32
    /// auto, single, ddp, zero1, zero2 or zero3; auto is ddp when `devices` > 1 or the job runs under mpirun. Default auto.
    public var strategy = StrategyKind.auto
    /// Processes (MPI ranks) for ddp and zero1–3; a job whose rank count differs is refused. Default 1.
    public var devices = 1
    /// Seconds a rank may wait in a collective for the others before it ends the job (a peer that hung); 0 waits
    /// forever. Default 60.
    public var collectiveTimeout = 60.0
    /// Batches whose gradients add up before each optimizer step (automatic optimization). Default 1.
    public var accumulateGradBatches = 1
    /// Clip gradients at this value (by global norm or by value); none by default.
    public var gradientClipVal: Double?
    /// norm or value. Default norm.
    public var gradientClipAlgorithm = GradientClipAlgorithm.norm
    /// Validate every this many training batches (an integer) or this share of an epoch (a fraction). Default 1.0.
    public var valCheckInterval: BatchLimit = 1.0
    /// Validate after every this many epochs. Default 1.
    public var checkValEveryNEpoch = 1
    /// Training batches per epoch: `1` is one batch, `1.0` all of them (Lightning's rule). Default 1.0.
    public var limitTrainBatches: BatchLimit = 1.0
    /// Validation batches per validation. Default 1.0.
    public var limitValBatches: BatchLimit = 1.0
    /// Test batches. Default 1.0.
    public var limitTestBatches: BatchLimit = 1.0
    /// Prediction batches. Default 1.0.
    public var limitPredictBatches: BatchLimit = 1.0
    /// Validation batches run before training starts, to fail early. Default 2.
    public var numSanityValSteps = 2
    /// Send step metrics to the loggers every this many training batches. Default 50.
    public var logEveryNSteps = 50
    /// Run this many batches of each loop, without checkpoints or loggers; `true` means 1. Default 0 (off).
    public var fastDevRun: FastDevRun = 0
    /// Train and validate on this many training batches, again and again. Default 0 (off).
    public var overfitBatches = 0
    /// Refuse what would make two runs of one fit differ (a matmul backend picked by timing). Default false.
    public var deterministic = false
    /// Where logs and checkpoints go. Default the working directory.
    public var defaultRootDir = "."
    /// Show the progress bar. Default true.
    public var enableProgressBar = true
    /// Add a ``ModelCheckpoint`` when none is configured. Default true.
    public var enableCheckpointing = true
    /// Callbacks: a list of one-key maps (`model_checkpoint`, `early_stopping`, `lr_monitor`). Default none.
    public var callbacks: [CallbackConfiguration] = []
    /// Loggers: csv, tensorboard. Default [csv].
    public var loggers: [LoggerKind] = [.csv]

    /// Lightning's defaults.
    public init() {}

    /// The flags the loops follow: under `fastDevRun` one epoch of `fastDevRun` batches per loop, validation on
    /// every batch, no sanity check, every step logged and no checkpoints; under `overfitBatches` that many
    /// training and validation batches.
    public var effective: TrainerConfiguration {
        var e = self
        let n = fastDevRun.batches
        if overfitBatches > 0 {
            e.limitTrainBatches = .count(overfitBatches)
            e.limitValBatches = .count(overfitBatches)
        }
        guard n > 0 else { return e }
        e.maxEpochs = 1
        e.maxSteps = n
        e.valCheckInterval = 1.0
        (e.limitTrainBatches, e.limitValBatches, e.limitTestBatches, e.limitPredictBatches) = (.count(n), .count(n), .count(n), .count(n))
        e.numSanityValSteps = 0
        e.logEveryNSteps = 1
        e.enableCheckpointing = false
        return e
    }
}

/// How the processes of a fit are laid out (`trainer.strategy`).
public enum StrategyKind: String, ConfigurationChoice, Sendable {
    /// ddp when `devices` > 1 or the job runs under mpirun, else one process.
    case auto
    /// One process.
    case single
    /// Data parallel over MPI ranks (``DDPStrategy``).
    case ddp
    /// Data parallel with optimizer state sharded across ranks (``ZeroStrategy``).
    case zero1
    /// Data parallel with gradients and optimizer state sharded across ranks (``Zero2Strategy``).
    case zero2
    /// Data parallel with parameters, gradients and optimizer state sharded across ranks (``Zero3Strategy``).
    case zero3
}

/// A logger named in `trainer.loggers`.
public enum LoggerKind: String, ConfigurationChoice, Sendable {
    /// ``CSVLogger``: `metrics.csv` and `hparams.yaml`.
    case csv
    /// ``TensorBoardLogger``: an event file TensorBoard reads.
    case tensorboard
}

/// `trainer.fast_dev_run`: Lightning takes a bool or a number of batches; `true` is one batch.
public struct FastDevRun: Codable, Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// Batches of each loop; 0 is off.
    public var batches: Int

    /// `batches` batches of each loop.
    public init(integerLiteral batches: Int) { self.batches = batches }
    /// One batch (`true`) or off.
    public init(booleanLiteral on: Bool) { batches = on ? 1 : 0 }

    /// Decodes `true`/`false` or a non-negative number of batches.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let on = try? container.decode(Bool.self) { batches = on ? 1 : 0; return }
        batches = try container.decode(Int.self)
        guard batches >= 0 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be true, false or a number of batches ≥ 0")
        }
    }

    /// Encodes the number of batches.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(batches)
    }
}

/// `trainer.max_time`: Lightning's `DD:HH:MM:SS`, or a number of seconds.
public struct TimeLimit: Codable, Sendable, Equatable {
    /// The limit in seconds.
    public var seconds: Double

    /// A limit of `seconds` (> 0).
    public init(seconds: Double) { self.seconds = seconds }

    /// Parses `DD:HH:MM:SS` or a number of seconds.
    ///
    /// - Throws: ``TrainerError/misconfiguration(_:)`` for any other text or a limit of zero.
    public init(parsing text: String) throws {
        if let seconds = Double(text), seconds > 0 { self.seconds = seconds; return }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 4, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else {
            throw TrainerError.misconfiguration("trainer.max_time must be DD:HH:MM:SS or a number of seconds, got \"\(text)\"")
        }
        let p = parts.map { Double($0 ?? 0) }
        seconds = ((p[0] * 24 + p[1]) * 60 + p[2]) * 60 + p[3]
        guard seconds > 0 else { throw TrainerError.misconfiguration("trainer.max_time must be longer than zero") }
    }

    /// Decodes `DD:HH:MM:SS` or a number of seconds.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try (try? container.decode(Double.self)).map { String($0) } ?? container.decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be DD:HH:MM:SS or a number of seconds > 0")
        }
    }

    /// Encodes the seconds.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(seconds)
    }
}

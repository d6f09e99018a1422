import Foundation
import VoltNN
import VoltTensor

/// Runs a ``TrainingModule`` through fitting, validation, testing and prediction — Lightning's `Trainer`.
///
/// Flags keep Lightning's names and defaults (`maxEpochs`, `accumulateGradBatches`, `gradientClipVal`,
/// `valCheckInterval`, `limitTrainBatches`, `numSanityValSteps`, `logEveryNSteps`, `fastDevRun`, …). Each flag is
/// declared once, in ``TrainerConfiguration``; the trainer reads it from ``flags`` (`trainer.maxEpochs` is
/// `trainer.flags.maxEpochs`). Only rank 0 writes checkpoints and logs.
@dynamicMemberLookup
public final class Trainer {
    // MARK: Flags
    /// The configuration the trainer was built from, as given.
    public let configuration: TrainerConfiguration
    /// The flags the loops follow: ``configuration`` with `fastDevRun` and `overfitBatches` applied
    /// (``TrainerConfiguration/effective``).
    public let flags: TrainerConfiguration

    /// A flag of ``flags``: `trainer.maxEpochs`, `trainer.limitValBatches`, ….
    public subscript<Value>(dynamicMember flag: KeyPath<TrainerConfiguration, Value>) -> Value { flags[keyPath: flag] }

    /// The callbacks, in the order they run: the configured ones, then those passed in, then the default checkpoint and progress bar.
    public internal(set) var callbacks: [any Callback]
    /// The loggers (none on ranks other than 0 and under `fastDevRun`).
    public internal(set) var loggers: [any Logger]

    // MARK: State
    /// Optimizer steps taken (Lightning's `global_step`).
    public internal(set) var globalStep = 0
    /// The current epoch (0-based).
    public internal(set) var currentEpoch = 0
    /// Set by a callback or the module to end fitting after the current step.
    public var shouldStop = false
    /// Latest value of every logged metric (epoch values once an epoch ends) — what callbacks monitor.
    public internal(set) var callbackMetrics: [String: Double] = [:]
    /// The values last sent to the loggers.
    public internal(set) var loggedMetrics: [String: Double] = [:]
    /// The values shown on the progress bar.
    public internal(set) var progressBarMetrics: [String: Double] = [:]
    /// Whether the sanity validation is running.
    public internal(set) var isSanityChecking = false
    /// Whether `fit` is running (checkpoint and early-stopping callbacks act only then).
    public internal(set) var isFitting = false
    /// Whether `fit` runs a validation loop.
    public internal(set) var hasValidation = false
    /// Training batches per epoch after limits.
    public internal(set) var trainBatchesPerEpoch = 0
    /// Tokens seen in this epoch (batches that are ``TokenCounting``).
    public internal(set) var tokensThisEpoch = 0
    /// Directory of the first logger's version (`<defaultRootDir>/volt_logs/version_N`) or `defaultRootDir`.
    public var logDirectory: String { loggers.first?.logDirectory ?? flags.defaultRootDir }

    /// The optimizers of the module being fitted, as steps see them.
    public internal(set) var trainingOptimizers: [TrainingOptimizer] = []
    /// Its schedulers.
    public internal(set) var schedulerConfigurations: [SchedulerConfiguration] = []
    /// The precision plugin.
    public let precisionPlugin: any PrecisionPlugin
    /// The process layout.
    public let strategy: any Strategy

    /// Writes the module's checkpoint; set while a module is attached.
    var checkpointWriter: ((String, Bool) throws -> Void)?
    /// The attached module's `onBeforeOptimizerStep`.
    var beforeOptimizerStep: ((any Optimizer) throws -> Void)?
    /// Whether the attached module uses automatic optimization.
    var automaticOptimizationAttached = true
    /// Position in the current epoch.
    var progress = EpochProgress()
    /// Training batches processed since the fit began (drives `logEveryNSteps`).
    var batchesSeen = 0
    /// The state of the data module of the running `fit(_:datamodule:)`, for checkpoints.
    var dataModuleState: DataModuleStateHooks?
    /// The preemption signals caught while `fit` runs.
    let preemptionSignals = PreemptionSignals()
    /// When the running fit started (for ``maxTime``).
    var fitStartTime = Date()
    /// Monitored metrics already warned about for lacking `syncDist` (one warning each).
    var warnedUnsynchronizedMetrics: Set<String> = []

    /// A trainer with Lightning's flags as arguments; each default is ``TrainerConfiguration``'s (`loggers: nil`
    /// gives its loggers: a CSV logger under `defaultRootDir/volt_logs`). The same as
    /// ``init(configuration:strategy:callbacks:loggers:)`` with the configuration these arguments make.
    public convenience init(maxEpochs: Int = defaultFlags.maxEpochs, maxSteps: Int = defaultFlags.maxSteps,
                            accumulateGradBatches: Int = defaultFlags.accumulateGradBatches,
                            gradientClipVal: Double? = defaultFlags.gradientClipVal,
                            gradientClipAlgorithm: GradientClipAlgorithm = defaultFlags.gradientClipAlgorithm,
                            valCheckInterval: BatchLimit = defaultFlags.valCheckInterval,
                            checkValEveryNEpoch: Int = defaultFlags.checkValEveryNEpoch,
                            limitTrainBatches: BatchLimit = defaultFlags.limitTrainBatches,
                            limitValBatches: BatchLimit = defaultFlags.limitValBatches,
                            limitTestBatches: BatchLimit = defaultFlags.limitTestBatches,
                            limitPredictBatches: BatchLimit = defaultFlags.limitPredictBatches,
                            numSanityValSteps: Int = defaultFlags.numSanityValSteps, logEveryNSteps: Int = defaultFlags.logEveryNSteps,
                            fastDevRun: Int = defaultFlags.fastDevRun.batches, overfitBatches: Int = defaultFlags.overfitBatches,
                            deterministic: Bool = defaultFlags.deterministic, defaultRootDir: String = defaultFlags.defaultRootDir,
                            enableProgressBar: Bool = defaultFlags.enableProgressBar,
                            enableCheckpointing: Bool = defaultFlags.enableCheckpointing, precision: Precision = defaultFlags.precision,
                            maxTime: Double? = defaultFlags.maxTime?.seconds, strategy: (any Strategy)? = nil,
                            callbacks: [any Callback] = [], loggers: [any Logger]? = nil) throws {
        var c = TrainerConfiguration()
        c.maxEpochs = maxEpochs
        c.maxSteps = maxSteps
        c.accumulateGradBatches = accumulateGradBatches
        c.gradientClipVal = gradientClipVal
        c.gradientClipAlgorithm = gradientClipAlgorithm
        c.valCheckInterval = valCheckInterval
        c.checkValEveryNEpoch = checkValEveryNEpoch
        c.limitTrainBatches = limitTrainBatches
        c.limitValBatches = limitValBatches
        c.limitTestBatches = limitTestBatches
        c.limitPredictBatches = limitPredictBatches
        c.numSanityValSteps = numSanityValSteps
        c.logEveryNSteps = logEveryNSteps
        c.fastDevRun = FastDevRun(integerLiteral: fastDevRun)
        c.overfitBatches = overfitBatches
        c.deterministic = deterministic
        c.defaultRootDir = defaultRootDir
        c.enableProgressBar = enableProgressBar
        c.enableCheckpointing = enableCheckpointing
        c.precision = precision
        c.maxTime = maxTime.map(TimeLimit.init(seconds:))
        try self.init(configuration: c, strategy: strategy ?? SingleDeviceStrategy(), callbacks: callbacks, loggers: loggers)
    }

    /// The defaults of the keyword initializer's flags: ``TrainerConfiguration``'s.
    public static let defaultFlags = TrainerConfiguration()

    /// A trainer configured by `configuration` (the `trainer:` section of a configuration file).
    ///
    /// - Parameters:
    ///   - configuration: the flags, callbacks and loggers.
    ///   - strategy: the process layout; `nil` builds the one `configuration.strategy` and `devices` name.
    ///   - callbacks: added after the configured ones.
    ///   - loggers: used instead of `configuration.loggers` when given.
    /// - Throws: ``TrainerError/misconfiguration(_:)`` for flags out of range, a rank count that disagrees with
    ///   `devices`, or one process per rank with strategy single.
    public init(configuration: TrainerConfiguration, strategy: (any Strategy)? = nil, callbacks: [any Callback] = [],
                loggers: [any Logger]? = nil) throws {
        let c = configuration
        guard c.accumulateGradBatches >= 1 else { throw TrainerError.misconfiguration("accumulateGradBatches must be ≥ 1") }
        guard c.logEveryNSteps >= 1 else { throw TrainerError.misconfiguration("logEveryNSteps must be ≥ 1") }
        if let maxTime = c.maxTime, !(maxTime.seconds > 0) { throw TrainerError.misconfiguration("maxTime must be a positive number of seconds") }
        if c.deterministic && MatMulBackends.isTimedChoice {
            throw TrainerError.misconfiguration(
                "deterministic is set but VOLT_BACKEND=auto picks the matmul backend by timing, which can differ between "
                + "processes; unset it or name a backend (VOLT_BACKEND=onednn)")
        }
        self.configuration = c
        let flags = c.effective
        self.flags = flags
        self.precisionPlugin = makePrecisionPlugin(c.precision)
        self.strategy = try strategy ?? Self.makeStrategy(c)
        let isZero = self.strategy.isGlobalZero
        let root = c.defaultRootDir + "/volt_logs"
        self.loggers = flags.fastDevRun.batches > 0 || !isZero ? [] : try (loggers ?? c.loggers.map { kind -> any Logger in
            switch kind {
            case .csv: return try CSVLogger(rootDirectory: root)
            case .tensorboard: return try TensorBoardLogger(rootDirectory: root)
            }
        })
        var all = c.callbacks.map { $0.makeCallback() } + callbacks
        if flags.enableCheckpointing && !all.contains(where: { $0 is ModelCheckpoint }) { all.append(ModelCheckpoint()) }
        if !flags.enableCheckpointing { all.removeAll { $0 is ModelCheckpoint } }
        if c.enableProgressBar && !all.contains(where: { $0 is ProgressBar }) { all.append(ProgressBar()) }
        self.callbacks = all
    }

    /// The strategy `trainer.strategy` and `trainer.devices` name; auto is DDP when `devices` > 1 or under mpirun.
    /// The trainer builds its own from its configuration; `volt bench --strategy` builds one the same way.
    ///
    /// - Throws: ``TrainerError/misconfiguration(_:)`` when a data-parallel strategy runs without an MPI launcher,
    ///   when `devices` > 1 disagrees with the MPI world's size, or for strategy `single` on several ranks.
    public static func makeStrategy(_ c: TrainerConfiguration) throws -> any Strategy {
        let parallel = c.devices > 1 || MPILauncher.isUnderMPI
        let strategy: any Strategy
        switch c.strategy {
        case .single: strategy = SingleDeviceStrategy()
        case .auto, .ddp: strategy = parallel ? try DDPStrategy(collectiveTimeout: c.collectiveTimeout) : SingleDeviceStrategy()
        case .zero1: strategy = parallel ? try ZeroStrategy(collectiveTimeout: c.collectiveTimeout) : SingleDeviceStrategy()
        case .zero2: strategy = parallel ? try Zero2Strategy(collectiveTimeout: c.collectiveTimeout) : SingleDeviceStrategy()
        case .zero3: strategy = parallel ? try Zero3Strategy(collectiveTimeout: c.collectiveTimeout) : SingleDeviceStrategy()
        }
        if c.devices > 1, strategy.worldSize != c.devices {
            throw TrainerError.misconfiguration(
                "trainer.devices is \(c.devices) but the job runs \(strategy.worldSize) MPI rank(s); make them agree "
                + "(mpirun -np \(c.devices), or --trainer.devices \(strategy.worldSize))")
        }
        if c.strategy == .single && MPILauncher.isUnderMPI, let world = MPICommunicator.world, world.size > 1 {
            throw TrainerError.misconfiguration(
                "trainer.strategy is single but the job runs \(world.size) MPI ranks, which would each train alone and write "
                + "the same files; use strategy ddp, or start one process")
        }
        return strategy
    }

    /// The `ModelCheckpoint` callbacks.
    public var checkpointCallbacks: [ModelCheckpoint] { callbacks.compactMap { $0 as? ModelCheckpoint } }
    /// The first `ModelCheckpoint` (Lightning's `trainer.checkpoint_callback`).
    public var checkpointCallback: ModelCheckpoint? { checkpointCallbacks.first }

    /// Writes a checkpoint of the attached module (rank 0; other ranks wait at a barrier).
    public func saveCheckpoint(to path: String, weightsOnly: Bool = false) throws {
        guard let checkpointWriter else { throw TrainerError.misconfiguration("no module is attached to the trainer") }
        try checkpointWriter(path, weightsOnly)
        strategy.barrierWhileWriting()
    }

    /// Sends `metrics` to every logger at `step` and records them in ``loggedMetrics``.
    func logToLoggers(_ metrics: [String: Double], step: Int) throws {
        guard !metrics.isEmpty else { return }
        loggedMetrics.merge(metrics) { $1 }
        for logger in loggers { try logger.logMetrics(metrics, step: step) }
    }

    /// Runs `body` for every callback.
    func forEachCallback(_ body: (any Callback) throws -> Void) throws {
        for callback in callbacks { try body(callback) }
    }
}

/// How `gradientClipVal` clips.
public enum GradientClipAlgorithm: String, Sendable, ConfigurationChoice {
    /// Scale all gradients so their global L2 norm is at most the value.
    case norm
    /// Clamp each element to ±value.
    case value
}

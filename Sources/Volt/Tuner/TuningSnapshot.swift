import VoltNN
import VoltTensor

/// Everything a tuning run changes, copied before it starts so that it can be put back bit for bit: the module's
/// tensors, gradients, random streams and mode, and the trainer's loop position, metrics, optimizers, schedulers,
/// precision state, callbacks and loggers.
///
/// After ``restore(_:)``, a following `fit` runs exactly as it would have without the tuning run.
struct TuningSnapshot {
    private let tensors: [(live: Tensor, saved: Tensor)]
    private let gradients: [(live: Tensor, saved: Tensor?)]
    private let streams: [(stream: RandomStream, generator: RandomGenerator)]
    private let training: Bool

    private let globalStep: Int
    private let currentEpoch: Int
    private let batchesSeen: Int
    private let shouldStop: Bool
    private let callbackMetrics: [String: Double]
    private let loggedMetrics: [String: Double]
    private let progressBarMetrics: [String: Double]
    private let trainBatchesPerEpoch: Int
    private let tokensThisEpoch: Int
    private let progress: EpochProgress
    private let trainingOptimizers: [TrainingOptimizer]
    private let schedulerConfigurations: [SchedulerConfiguration]
    private let automaticOptimizationAttached: Bool
    private let precisionState: [String: Double]
    private let callbacks: [any Callback]
    private let loggers: [any Logger]
    private let isFitting: Bool

    /// Copies the state of `module` and `trainer`.
    init<M: TrainingModule>(_ module: M, trainer: Trainer) {
        let named = module.model.namedTensors().map(\.1)
        tensors = named.map { ($0, $0.clone()) }
        gradients = named.map { ($0, $0.grad?.clone()) }
        streams = module.model.namedRandomStreams().map { ($0.1, $0.1.generator) }
        training = module.model.training
        globalStep = trainer.globalStep
        currentEpoch = trainer.currentEpoch
        batchesSeen = trainer.batchesSeen
        shouldStop = trainer.shouldStop
        callbackMetrics = trainer.callbackMetrics
        loggedMetrics = trainer.loggedMetrics
        progressBarMetrics = trainer.progressBarMetrics
        trainBatchesPerEpoch = trainer.trainBatchesPerEpoch
        tokensThisEpoch = trainer.tokensThisEpoch
        progress = trainer.progress
        trainingOptimizers = trainer.trainingOptimizers
        schedulerConfigurations = trainer.schedulerConfigurations
        automaticOptimizationAttached = trainer.automaticOptimizationAttached
        precisionState = trainer.precisionPlugin.state
        callbacks = trainer.callbacks
        loggers = trainer.loggers
        isFitting = trainer.isFitting
    }

    /// Puts everything back.
    func restore<M: TrainingModule>(_ module: M, trainer: Trainer) {
        withNoGrad { for (live, saved) in tensors { live.assign(saved) } }
        for (live, saved) in gradients { live.grad = saved?.clone() }
        for (stream, generator) in streams { stream.generator = generator }
        module.model.train(training)
        trainer.globalStep = globalStep
        trainer.currentEpoch = currentEpoch
        trainer.batchesSeen = batchesSeen
        trainer.shouldStop = shouldStop
        trainer.callbackMetrics = callbackMetrics
        trainer.loggedMetrics = loggedMetrics
        trainer.progressBarMetrics = progressBarMetrics
        trainer.trainBatchesPerEpoch = trainBatchesPerEpoch
        trainer.tokensThisEpoch = tokensThisEpoch
        trainer.progress = progress
        trainer.trainingOptimizers = trainingOptimizers
        trainer.schedulerConfigurations = schedulerConfigurations
        trainer.automaticOptimizationAttached = automaticOptimizationAttached
        trainer.precisionPlugin.load(state: precisionState)
        trainer.callbacks = callbacks
        trainer.loggers = loggers
        trainer.isFitting = isFitting
    }
}

/// The optimizers and schedulers a tuning run attached, copied right after ``TrainingModule/configureOptimizers()``
/// so that a module which hands out the same optimizer objects again gets them back untouched.
struct OptimizerSnapshot {
    private let optimizers: [(optimizer: any Optimizer, state: OptimizerState)]
    private let schedulers: [(scheduler: LearningRateScheduler, state: [String: Double])]

    /// Deep copies of the state of `trainer`'s attached optimizers and schedulers.
    init(_ trainer: Trainer) {
        optimizers = trainer.trainingOptimizers.map { ($0.optimizer, $0.optimizer.state().deepCopy()) }
        schedulers = trainer.schedulerConfigurations.map { ($0.scheduler, $0.scheduler.state) }
    }

    /// Restores the optimizers (moments, learning rates) and the schedulers.
    func restore() throws {
        for (optimizer, state) in optimizers {
            try optimizer.load(state: state)
            for group in optimizer.parameterGroups { for p in group.parameters { p.grad = nil } }
        }
        for (scheduler, state) in schedulers { scheduler.load(state: state) }
    }
}

extension OptimizerState {
    /// A copy whose tensors share no storage with the optimizer's live buffers (which later steps update in place).
    func deepCopy() -> OptimizerState {
        OptimizerState(type: type, groups: groups, tensors: tensors.mapValues { $0.mapValues { $0.clone() } },
                       scalars: scalars)
    }
}

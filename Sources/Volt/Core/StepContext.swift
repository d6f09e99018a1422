import VoltNN
import VoltTensor

/// What a step of a ``TrainingModule`` sees of the trainer: where it is, the optimizers, backward and logging.
///
/// Logging goes through the context passed to each step, not through hidden global state.
public final class StepContext {
    /// The loop this step belongs to.
    public let stage: Stage
    /// Index of the current epoch (0-based).
    public internal(set) var epoch = 0
    /// Index of the batch within the epoch.
    public internal(set) var batchIndex = 0
    /// Whether this is the last batch of the epoch.
    public internal(set) var isLastBatch = false
    /// Optimizer steps taken so far (Lightning's `global_step`).
    public var globalStep: Int { trainer.globalStep }
    /// This process's rank.
    public var rank: Int { trainer.strategy.rank }
    /// The number of processes.
    public var worldSize: Int { trainer.strategy.worldSize }
    /// Examples in the current batch (weights epoch means).
    public internal(set) var batchSize = 1

    /// The optimizers of ``TrainingModule/configureOptimizers()``, precision- and strategy-aware.
    public var optimizers: [TrainingOptimizer] { trainer.trainingOptimizers }
    /// The single optimizer, when there is one.
    public var optimizer: TrainingOptimizer {
        precondition(optimizers.count == 1, "context.optimizer needs exactly one optimizer; use context.optimizers")
        return optimizers[0]
    }
    /// The learning-rate schedulers (manual optimization steps them itself).
    public var schedulers: [LearningRateScheduler] { trainer.schedulerConfigurations.map(\.scheduler) }

    unowned let trainer: Trainer
    let metrics: MetricCollection

    init(stage: Stage, trainer: Trainer, metrics: MetricCollection) {
        self.stage = stage
        self.trainer = trainer
        self.metrics = metrics
    }

    /// Back-propagates `loss` (scaled by the precision plugin under fp16), accumulating into the gradients.
    ///
    /// - Parameters:
    ///   - loss: the scalar to differentiate.
    ///   - synchronize: pass true when an optimizer steps right after this backward pass (the last micro-step of an
    ///     accumulation window): under DDP the gradient all-reduce then overlaps with backward. Without it,
    ///     gradients are reduced when the optimizer steps — never on micro-steps either way.
    public func manualBackward(_ loss: Tensor, synchronize: Bool = false) throws {
        guard loss.count == 1 else { throw TrainerError.notAScalar(name: "loss", shape: loss.shape) }
        if synchronize { trainer.strategy.prepareBackward(optimizers.flatMap(\.parameters), synchronize: true) }
        try trainer.forEachCallback { try $0.onBeforeBackward(trainer, loss: loss) }
        trainer.precisionPlugin.backward(loss)
    }

    /// Logs a metric, with Lightning's semantics: `onStep` defaults to true in training and false elsewhere,
    /// `onEpoch` to the opposite; epoch values are batch-size-weighted means (or `reduce`); a metric logged both
    /// ways appears as `name_step` and `name_epoch` to loggers; `syncDist` reduces the epoch value across ranks.
    public func log(_ name: String, _ value: Tensor, onStep: Bool? = nil, onEpoch: Bool? = nil, progressBar: Bool = false,
                    logger: Bool = true, syncDist: Bool = false, reduce: MetricReduction = .mean, batchSize: Int? = nil) {
        precondition(value.count == 1, "log(\"\(name)\"): value must be a one-element tensor, have \(value.shape)")
        log(name, Double(value.item()), onStep: onStep, onEpoch: onEpoch, progressBar: progressBar, logger: logger,
            syncDist: syncDist, reduce: reduce, batchSize: batchSize)
    }

    /// Logs a plain number (as the tensor overload of `log(_:_:onStep:onEpoch:progressBar:logger:syncDist:reduce:batchSize:)` does).
    public func log(_ name: String, _ value: Double, onStep: Bool? = nil, onEpoch: Bool? = nil, progressBar: Bool = false,
                    logger: Bool = true, syncDist: Bool = false, reduce: MetricReduction = .mean, batchSize: Int? = nil) {
        guard stage != .predicting else { return }
        let step = onStep ?? stage.logsOnStepByDefault
        let options = LogOptions(onStep: step, onEpoch: onEpoch ?? !stage.logsOnStepByDefault, progressBar: progressBar,
                                 logger: logger, syncDist: syncDist, reduce: reduce)
        metrics.log(name, value: value, batchSize: batchSize ?? self.batchSize, options: options)
    }

    /// Clips the gradients of `optimizer`'s parameters (manual optimization; unscales first under fp16).
    @discardableResult
    public func clipGradients(_ optimizer: TrainingOptimizer, maxNorm: Double) -> Double {
        optimizer.unscaleGradients()
        return trainer.strategy.clipGradientNorm(optimizer.parameters, maxNorm: maxNorm)
    }
}

import Foundation
import VoltData
import VoltNN
import VoltTensor

/// Finds training settings before a fit — Lightning's `Tuner`: the learning-rate range test
/// (``lrFind(_:train:minLR:maxLR:numTraining:mode:earlyStopThreshold:onStep:)``) and the largest batch that fits a memory
/// budget (``scaleBatchSize(maxMemoryBytes:maxBatchSize:steps:warmup:throughputTolerance:module:loader:)``).
///
/// Both leave the trainer as they found it: a `fit` that follows runs exactly as it would have without them.
public struct Tuner {
    /// The trainer whose precision, strategy and batch limits the runs use.
    public let trainer: Trainer

    /// A tuner for `trainer`.
    public init(_ trainer: Trainer) { self.trainer = trainer }

    /// The learning-rate range test (Lightning's `Tuner.lr_find`): trains on `train` with the learning rate raised
    /// at every optimizer step from `minLR` to `maxLR`, records the loss of each step smoothed with an exponential
    /// average (beta 0.98, bias-corrected), stops once the smoothed loss exceeds `earlyStopThreshold` times the
    /// best so far (or is not finite), and suggests the learning rate where the smoothed loss falls fastest.
    ///
    /// Afterwards the module's weights, gradients and random streams, its optimizers' state and learning rates,
    /// and the trainer's loop state are restored bit for bit.
    ///
    /// Works under manual optimization: each optimizer step the module takes is one step of the sweep, its learning
    /// rate set just before, and its loss is the sum of the losses back-propagated since the previous step (under
    /// GenSLM's accumulation, the mean loss of the window). Every optimizer the module configures gets the sweep's
    /// learning rate in all its parameter groups; schedulers are not stepped during the sweep. A step that fp16
    /// overflow skips is recorded with a NaN loss, which the suggestion ignores.
    ///
    /// - Parameters:
    ///   - module: the module to train; its state is restored afterwards.
    ///   - train: the training batches (epochs repeat until the sweep ends).
    ///   - minLR: the first learning rate of the sweep.
    ///   - maxLR: the last learning rate of the sweep.
    ///   - numTraining: optimizer steps in the sweep.
    ///   - mode: exponential (log-spaced) or linear steps between `minLR` and `maxLR`.
    ///   - earlyStopThreshold: stop when the smoothed loss exceeds this multiple of the best; nil never stops early.
    ///   - onStep: called with each point as the sweep records it (progress reporting).
    /// - Throws: ``TunerError`` for an invalid range, ``TrainerError`` when `train` is empty or a whole epoch takes
    ///   no optimizer step, and whatever the module's steps throw (the state is restored first).
    public func lrFind<M: TrainingModule, T: BatchSource>(
        _ module: M, train: T, minLR: Double = 1e-8, maxLR: Double = 1, numTraining: Int = 100,
        mode: LearningRateSweepMode = .exponential, earlyStopThreshold: Double? = 4,
        onStep: ((LearningRateFinderResult.Point) -> Void)? = nil
    ) throws -> LearningRateFinderResult where T.Batch == M.Batch {
        let sweep = try LearningRateSweep(minLR: minLR, maxLR: maxLR, numTraining: numTraining, mode: mode)
        if let earlyStopThreshold, !(earlyStopThreshold > 0) {
            throw TunerError.invalidArgument("early_stop_threshold must be positive, got \(earlyStopThreshold)")
        }
        let trainer = self.trainer
        let strategy = trainer.strategy
        let train = strategy.worldSize > 1 ? train.distributed(rank: strategy.rank, worldSize: strategy.worldSize) : train
        var points: [LearningRateFinderResult.Point] = []
        var smoother = LossSmoother()
        var best = Double.infinity
        var finished = false, diverged = false

        func setLearningRate(_ lr: Double) {
            for optimizer in trainer.trainingOptimizers {
                for i in optimizer.optimizer.parameterGroups.indices { optimizer.optimizer.parameterGroups[i].learningRate = lr }
            }
        }
        let probe = TuningProbe { loss, applied in
            var values = [loss]
            if strategy.worldSize > 1 {  // every rank records the same mean loss, so they agree on when to stop
                strategy.allReduceSum(&values)
                values[0] /= Double(strategy.worldSize)
            }
            let step = points.count, raw = values[0]
            var smoothed = Double.nan
            if applied && raw.isFinite {
                smoothed = smoother.add(raw)
                if let threshold = earlyStopThreshold, smoother.count > 1, smoothed > threshold * best { diverged = true }
                if smoothed < best || smoother.count == 1 { best = smoothed }
            } else if applied {
                diverged = true
            }
            points.append(.init(step: step, lr: sweep.learningRate(at: step), loss: smoothed, rawLoss: raw))
            onStep?(points[step])
            if diverged || points.count >= sweep.numTraining { finished = true } else { setLearningRate(sweep.learningRate(at: points.count)) }
        }
        try trainer.withTuningSession(module, probe: probe) {
            setLearningRate(sweep.learningRate(at: 0))
            try trainer.runTuningBatches(module, train: train, optimizerSteps: { points.count }, shouldContinue: { _ in !finished })
        }
        return LearningRateFinderResult(sweep: sweep, points: points, stoppedEarly: diverged && points.count < sweep.numTraining)
    }

    /// Measures `steps` training batches of a module made by `makeModule` on `train` (after `warmup` untimed
    /// batches): the most tensor memory held at once, and tokens (or examples) per second.
    ///
    /// Memory is the high-water mark of the tensor buffer pool during the run, minus what was live before the
    /// module was made: weights, gradients, optimizer state and activations of this run alone, independent of
    /// earlier runs in the process (the process's peak RSS only ever grows). Buffers outside the pool (the math
    /// libraries' scratch space, the process itself) are not counted. Pass a loader without background workers
    /// so that only this run allocates.
    public func measureTraining<M: TrainingModule, T: BatchSource>(
        steps: Int, warmup: Int = 1, module makeModule: () throws -> M, train: T
    ) throws -> TrainingMeasurement where T.Batch == M.Batch {
        guard steps >= 1, warmup >= 0 else {
            throw TunerError.invalidArgument("steps must be ≥ 1 and warmup ≥ 0, got \(steps) and \(warmup)")
        }
        let pool = BufferPool.shared
        let before = pool.usage.live
        pool.resetPeak()
        let module = try makeModule()
        var optimizerSteps = 0, batches = 0, units = 0
        var start = warmup == 0 ? DispatchTime.now().uptimeNanoseconds : 0
        var end = start
        try trainer.withTuningSession(module, probe: TuningProbe { _, _ in optimizerSteps += 1 }) {
            try trainer.runTuningBatches(module, train: train, optimizerSteps: { optimizerSteps }) { batch in
                batches += 1
                if batches == warmup { start = DispatchTime.now().uptimeNanoseconds }
                guard batches > warmup else { return true }
                units += (batch as? TokenCounting)?.tokenCount ?? (batch as? BatchSizeProviding)?.batchSize ?? 1
                end = DispatchTime.now().uptimeNanoseconds
                return batches < warmup + steps
            }
        }
        let seconds = Double(end - start) / 1e9
        return TrainingMeasurement(peakBytes: Swift.max(0, pool.usage.peak - before),
                                   unitsPerSecond: seconds > 0 ? Double(units) / seconds : 0)
    }

    /// The largest batch size whose training fits `maxMemoryBytes` and runs at least as fast per token: doubles the
    /// batch from 1 until a size fails (or reaches `maxBatchSize`), then bisects between the last size that passed
    /// and the first that failed (Lightning's `scale_batch_size` power mode followed by its binsearch).
    ///
    /// Each size is measured by ``measureTraining(steps:warmup:module:train:)`` on a fresh module and
    /// `loader(size)`; a size passes when its memory is within the budget and its throughput is at least
    /// `1 - throughputTolerance` times the best of the smaller sizes that passed (pass 1 to ignore throughput).
    ///
    /// - Throws: ``TunerError/nothingFits(batchSize:peakBytes:maxMemoryBytes:)`` when a batch of one is over budget.
    public func scaleBatchSize<M: TrainingModule, T: BatchSource>(
        maxMemoryBytes: Int, maxBatchSize: Int, steps: Int = 3, warmup: Int = 1, throughputTolerance: Double = 0.1,
        module makeModule: () throws -> M, loader: (Int) throws -> T
    ) throws -> BatchSizeSearchResult where T.Batch == M.Batch {
        let search = try BatchSizeSearch(maxMemoryBytes: maxMemoryBytes, maxBatchSize: maxBatchSize,
                                         throughputTolerance: throughputTolerance)
        return try search.run { size in
            try measureTraining(steps: steps, warmup: warmup, module: makeModule, train: try loader(size))
        }
    }
}

/// What ``Tuner/measureTraining(steps:warmup:module:train:)`` measured.
public struct TrainingMeasurement: Sendable, Equatable, Codable {
    /// Most tensor bytes held at once by the run.
    public var peakBytes: Int
    /// Tokens per second (examples per second for batches that do not count tokens).
    public var unitsPerSecond: Double

    /// A measurement.
    public init(peakBytes: Int, unitsPerSecond: Double) {
        self.peakBytes = peakBytes
        self.unitsPerSecond = unitsPerSecond
    }
}

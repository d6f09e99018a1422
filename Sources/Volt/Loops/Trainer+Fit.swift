import Foundation
import VoltData
import VoltNN
import VoltTensor

/// Where an interrupted fit continues.
struct ResumePoint {
    var epoch = 0
    var batchIndex = 0
    /// The batch count at which the epoch's last validation already ran (so it is not repeated).
    var validatedAt: Int?
}

extension Trainer {
    /// Trains `module` on `train`, validating on `val` — Lightning's `trainer.fit`.
    ///
    /// - Parameters:
    ///   - module: the module to train.
    ///   - train: the training batches.
    ///   - val: the validation batches, if any.
    ///   - ckptPath: `"last"` (the newest `last*.h5` of the checkpoint callbacks; starts fresh with a
    ///     warning when there is none), `"best"`, or a path: restores weights, optimizers, schedulers, loop
    ///     position, callbacks and random streams, and continues exactly where that checkpoint was taken.
    public func fit<M: TrainingModule, T: BatchSource, V: BatchSource>(
        _ module: M, train: T, val: V?, ckptPath: String? = nil
    ) throws where T.Batch == M.Batch, V.Batch == M.Batch {
        let ordered = flags.overfitBatches > 0 ? train.unshuffled() : train  // Lightning turns shuffling off to overfit
        let train = strategy.worldSize > 1 ? ordered.distributed(rank: strategy.rank, worldSize: strategy.worldSize) : ordered
        let val = val.map { strategy.worldSize > 1 ? $0.distributed(rank: strategy.rank, worldSize: strategy.worldSize) : $0 }
        try attach(module)
        isFitting = true
        fitStartTime = Date()
        preemptionSignals.start()
        defer { detach(); isFitting = false; preemptionSignals.stop() }
        hasValidation = val != nil && flags.limitValBatches.resolve(val?.batchCount ?? 0) > 0
        var resume = ResumePoint()
        if let ckptPath, let path = try agreedCheckpoint(ckptPath) { resume = try restore(module, from: path) }
        else { strategy.broadcast(module.model.namedTensors().map(\.1)) }
        strategy.setUp(module.model, parameters: trainingOptimizers.flatMap(\.parameters))

        if resume.epoch == 0 && resume.batchIndex == 0 {
            let flat = try SavedHyperparameters(module.hyperparameters).flattened
            for logger in loggers { try logger.logHyperparameters(flat) }
        }
        try forEachCallback { try $0.onFitStart(self) }
        try module.onFitStart(self)
        if let val, flags.numSanityValSteps > 0 {
            try runEvaluation(module, loader: val, stage: .sanityCheck, limit: .count(flags.numSanityValSteps))
        }

        currentEpoch = resume.epoch
        var startBatch = resume.batchIndex
        var validatedAt = resume.validatedAt
        while currentEpoch < flags.maxEpochs && !shouldStop && (flags.maxSteps < 0 || globalStep < flags.maxSteps) {
            try runTrainingEpoch(module, train: train, val: val, from: startBatch, validatedAt: validatedAt)
            startBatch = 0
            validatedAt = nil
            currentEpoch += 1
        }
        if currentEpoch > 0 { currentEpoch -= 1 }  // Lightning leaves current_epoch at the last epoch run
        strategy.tearDown(module.model)
        try module.onFitEnd(self)
        try forEachCallback { try $0.onFitEnd(self) }
        for logger in loggers { try logger.finalize(status: "success") }
    }

    /// `fit` without validation.
    public func fit<M: TrainingModule, T: BatchSource>(_ module: M, train: T, ckptPath: String? = nil) throws
        where T.Batch == M.Batch {
        try fit(module, train: train, val: Optional<T>.none, ckptPath: ckptPath)
    }

    private func runTrainingEpoch<M: TrainingModule, T: BatchSource, V: BatchSource>(
        _ module: M, train: T, val: V?, from start: Int, validatedAt: Int?
    ) throws where T.Batch == M.Batch, V.Batch == M.Batch {
        let total = flags.limitTrainBatches.resolve(train.batchCount)
        trainBatchesPerEpoch = total
        tokensThisEpoch = 0
        progress = EpochProgress(batchesDone: start, validatedAt: validatedAt, tailDone: false)
        let metrics = MetricCollection()
        let context = StepContext(stage: .training, trainer: self, metrics: metrics)
        context.epoch = currentEpoch
        module.model.train()
        if start == 0 {
            try forEachCallback { try $0.onTrainEpochStart(self) }
            try module.onTrainEpochStart(self)
        }
        let valEvery = hasValidation ? Swift.max(flags.valCheckInterval.resolve(total), 1) : 0
        let validateThisEpoch = hasValidation && (currentEpoch + 1) % Swift.max(flags.checkValEveryNEpoch, 1) == 0
        let iterator = train.batches(epoch: currentEpoch, from: start)
        var index = start
        while index < total, let batch = try iterator.next() {
            context.batchIndex = index
            context.isLastBatch = index == total - 1
            context.batchSize = (batch as? BatchSizeProviding)?.batchSize ?? 1
            tokensThisEpoch += (batch as? TokenCounting)?.tokenCount ?? 0
            try module.onTrainBatchStart(batch, index: index, trainer: self)
            try withAutocast(precisionPlugin.autocast) {
                let loss = try module.trainingStep(batch, index: index, context: context)
                if module.automaticOptimization { try automaticStep(loss: loss, index: index, isLast: context.isLastBatch) }
            }
            batchesSeen += 1
            progress.batchesDone = index + 1
            try publishStepMetrics(metrics)
            try module.onTrainBatchEnd(batch, index: index, trainer: self)
            try forEachCallback { try $0.onTrainBatchEnd(self, batchIndex: index) }
            index += 1
            let stepsDone = flags.maxSteps >= 0 && globalStep >= flags.maxSteps
            if let val, validateThisEpoch, (index % valEvery == 0 && index < total) || (index == total && validatedAt != total) {
                try runEvaluation(module, loader: val, stage: .validating, limit: flags.limitValBatches)
                progress.validatedAt = index
                module.model.train()
            }
            try agreeOnStopping()
            if shouldStop || stepsDone { break }
        }
        if index == total, let val, validateThisEpoch, progress.validatedAt != total, validatedAt != total {
            try runEvaluation(module, loader: val, stage: .validating, limit: flags.limitValBatches)
            progress.validatedAt = total
        }
        try finishEpoch(module, metrics: metrics)
    }

    /// Epoch end: epoch metrics, epoch schedulers, then the hooks (so a checkpoint they write is a clean epoch
    /// boundary).
    private func finishEpoch<M: TrainingModule>(_ module: M, metrics: MetricCollection) throws {
        try synchronize(metrics)
        let epochValues = metrics.epochMetrics()
        callbackMetrics.merge(epochValues.callback) { $1 }
        progressBarMetrics.merge(epochValues.progressBar) { $1 }
        var logged = epochValues.logger
        if !logged.isEmpty { logged["epoch"] = Double(currentEpoch) }
        try logToLoggers(logged, step: globalStep)
        if module.automaticOptimization {
            for config in schedulerConfigurations where config.interval == .epoch
                && (currentEpoch + 1) % Swift.max(config.frequency, 1) == 0 {
                config.scheduler.step()
            }
        }
        progress.tailDone = true
        try module.onTrainEpochEnd(self)
        try forEachCallback { try $0.onTrainEpochEnd(self) }
        for logger in loggers { try logger.save() }
    }

    /// Backward, accumulation, clipping, the optimizer and step-interval schedulers (automatic optimization).
    func automaticStep(loss: Tensor?, index: Int, isLast: Bool) throws {
        guard let loss else { return }
        guard loss.count == 1 else { throw TrainerError.notAScalar(name: "training loss", shape: loss.shape) }
        let boundary = (index + 1) % flags.accumulateGradBatches == 0 || isLast
        strategy.prepareBackward(trainingOptimizers[0].parameters, synchronize: boundary)
        let scaled = flags.accumulateGradBatches > 1 ? loss / Float(flags.accumulateGradBatches) : loss
        try forEachCallback { try $0.onBeforeBackward(self, loss: scaled) }
        precisionPlugin.backward(scaled)
        guard boundary else { return }
        let optimizer = trainingOptimizers[0]
        let stepped = try optimizerStep(optimizer)
        optimizer.zeroGrad()
        guard stepped else { return }
        for config in schedulerConfigurations where config.interval == .step && globalStep % Swift.max(config.frequency, 1) == 0 {
            config.scheduler.step()
        }
    }

    /// Reduce, unscale, overflow check, clip (automatic), step, count. Returns whether the step was applied.
    func optimizerStep(_ optimizer: TrainingOptimizer) throws -> Bool {
        optimizer.unscaleGradients()
        let parameters = optimizer.parameters
        let finite = !precisionPlugin.skipsNonFiniteSteps || strategy.gradientsAreFinite(parameters)
        guard precisionPlugin.shouldStep(gradientsFinite: finite) else {
            optimizer.unscaled = false
            try forEachCallback { try $0.onOptimizerStepSkipped(self) }
            return false
        }
        if let clip = flags.gradientClipVal, automaticOptimizationAttached {
            switch flags.gradientClipAlgorithm {
            case .norm: _ = strategy.clipGradientNorm(parameters, maxNorm: clip)
            case .value: clipGradValue(parameters, value: Float(clip))
            }
        }
        try beforeOptimizerStep?(optimizer.optimizer)
        strategy.prepareStep(parameters)
        optimizer.optimizer.step()
        strategy.finishStep(parameters)
        optimizer.unscaled = false
        globalStep += 1
        try forEachCallback { try $0.onOptimizerStep(self) }
        return true
    }

    /// Moves step metrics to the callback metrics, the progress bar and (every `logEveryNSteps`) the loggers.
    private func publishStepMetrics(_ metrics: MetricCollection) throws {
        let step = metrics.stepMetrics()
        callbackMetrics.merge(step.callback) { $1 }
        progressBarMetrics.merge(step.progressBar) { $1 }
        if batchesSeen % flags.logEveryNSteps == 0 || shouldStop {
            var logged = step.logger
            if !logged.isEmpty { logged["epoch"] = Double(currentEpoch) }
            try logToLoggers(logged, step: globalStep)
        }
    }

    /// Reduces across ranks the epoch aggregates logged with `syncDist`, and those that a callback monitors even
    /// when they were not (with one warning per metric): a checkpoint or early-stopping decision must see the same
    /// value on every rank.
    func synchronize(_ metrics: MetricCollection) throws {
        try synchronizeMetricObjects(metrics)
        guard strategy.worldSize > 1 else { return }
        var reductions = metrics.synchronized
        let monitored = Set(callbacks.compactMap(\.monitoredMetric)).sorted()
        for key in monitored {
            guard let entry = metrics.entry(forMonitored: key), !entry.synchronized,
                  !reductions.contains(where: { $0.0 == entry.name }) else { continue }
            if strategy.isGlobalZero && !warnedUnsynchronizedMetrics.contains(entry.name) {
                warnedUnsynchronizedMetrics.insert(entry.name)
                FileHandle.standardError.write(Data(("volt: warning: \"\(entry.name)\" is monitored by a callback but logged "
                    + "without syncDist; reducing it across ranks so every rank decides alike (log it with syncDist: true)\n").utf8))
            }
            reductions.append((entry.name, entry.reduce))
        }
        for (name, reduce) in reductions {
            guard let agg = metrics.aggregate(name) else { continue }
            switch reduce {
            case .mean, .sum:
                var values = [agg.total, agg.weight]
                strategy.allReduceSum(&values)
                metrics.setAggregate(name, total: values[0], weight: values[1], extreme: agg.extreme)
            case .max, .min:
                // Every rank's extreme in its own slot; the sum of the slots gathers them.
                var slots = [Double](repeating: 0, count: strategy.worldSize)
                slots[strategy.rank] = agg.extreme ?? .nan
                strategy.allReduceSum(&slots)
                let valid = slots.filter { !$0.isNaN }
                metrics.setAggregate(name, total: agg.total, weight: agg.weight,
                                     extreme: reduce == .max ? valid.max() : valid.min())
            }
        }
    }
}

/// Progress within the current epoch, as checkpoints record it.
struct EpochProgress {
    var batchesDone = 0
    var validatedAt: Int?
    var tailDone = false
}

import VoltData
import VoltNN
import VoltTensor

extension Trainer {
    /// Runs `body` with `module` attached for a tuning run, then puts the module and the trainer back as they were.
    ///
    /// During the run `probe` is the only callback and no logger is called (no checkpoint is written, nothing is
    /// logged), and schedulers are detached (the tuner drives learning rates itself).
    func withTuningSession<M: TrainingModule, R>(_ module: M, probe: TuningProbe, _ body: () throws -> R) throws -> R {
        let snapshot = TuningSnapshot(module, trainer: self)
        callbacks = [probe]
        loggers = []
        isFitting = false
        defer {
            snapshot.restore(module, trainer: self)
            detach()
        }
        try attach(module)
        let optimizers = OptimizerSnapshot(self)
        schedulerConfigurations = []
        let result: R
        do { result = try body() } catch {
            try? optimizers.restore()
            throw error
        }
        try optimizers.restore()
        return result
    }

    /// Feeds training batches of `train` to `module` (epoch after epoch, within `limitTrainBatches`) until
    /// `shouldContinue` returns false after a batch.
    ///
    /// - Throws: ``TrainerError/misconfiguration(_:)`` when the loader is empty or a whole epoch passes without an
    ///   optimizer step (the tuner would otherwise never finish).
    func runTuningBatches<M: TrainingModule, T: BatchSource>(
        _ module: M, train: T, optimizerSteps: () -> Int, shouldContinue: (T.Batch) throws -> Bool
    ) throws where T.Batch == M.Batch {
        let total = flags.limitTrainBatches.resolve(train.batchCount)
        guard total > 0 else { throw TrainerError.misconfiguration("the training data has no batches to tune on") }
        let context = StepContext(stage: .training, trainer: self, metrics: MetricCollection())
        module.model.train()
        var epoch = 0
        while true {
            context.epoch = epoch
            let stepsBefore = optimizerSteps()
            let iterator = train.batches(epoch: epoch, from: 0)
            var index = 0
            while index < total, let batch = try iterator.next() {
                context.batchIndex = index
                context.isLastBatch = index == total - 1
                context.batchSize = (batch as? BatchSizeProviding)?.batchSize ?? 1
                try module.onTrainBatchStart(batch, index: index, trainer: self)
                try withAutocast(precisionPlugin.autocast) {
                    let loss = try module.trainingStep(batch, index: index, context: context)
                    if module.automaticOptimization { try automaticStep(loss: loss, index: index, isLast: context.isLastBatch) }
                }
                try module.onTrainBatchEnd(batch, index: index, trainer: self)
                index += 1
                if try !shouldContinue(batch) { return }
            }
            guard optimizerSteps() > stepsBefore else {
                throw TrainerError.misconfiguration(
                    "an epoch of \(total) training batches took no optimizer step; the tuner counts optimizer steps")
            }
            epoch += 1
        }
    }
}

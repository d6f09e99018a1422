import VoltData
import VoltNN
import VoltTensor

extension Trainer {
    /// Runs the validation loop once and returns the epoch metrics — Lightning's `trainer.validate`.
    ///
    /// - Parameters:
    ///   - module: the module to evaluate.
    ///   - val: the validation batches.
    ///   - ckptPath: weights to evaluate (`"best"` or a path); the module's current weights when `nil`.
    @discardableResult
    public func validate<M: TrainingModule, V: BatchSource>(_ module: M, val: V, ckptPath: String? = nil) throws
        -> [String: Double] where V.Batch == M.Batch {
        try evaluate(module, loader: val, stage: .validating, limit: flags.limitValBatches, ckptPath: ckptPath)
    }

    /// Runs the test loop once and returns the epoch metrics — Lightning's `trainer.test`.
    @discardableResult
    public func test<M: TrainingModule, V: BatchSource>(_ module: M, test: V, ckptPath: String? = nil) throws
        -> [String: Double] where V.Batch == M.Batch {
        try evaluate(module, loader: test, stage: .testing, limit: flags.limitTestBatches, ckptPath: ckptPath)
    }

    private func evaluate<M: TrainingModule, V: BatchSource>(
        _ module: M, loader: V, stage: Stage, limit: BatchLimit, ckptPath: String?
    ) throws -> [String: Double] where V.Batch == M.Batch {
        let loader = strategy.worldSize > 1 ? loader.distributed(rank: strategy.rank, worldSize: strategy.worldSize) : loader
        try attach(module)
        defer { detach() }
        if let ckptPath, let path = try resolveCheckpoint(ckptPath) { try loadWeights(module, from: path) }
        let metrics = try runEvaluation(module, loader: loader, stage: stage, limit: limit)
        for logger in loggers { try logger.save() }
        return metrics
    }

    /// One pass of validation or test in evaluation mode without gradients. Returns its epoch metrics (which
    /// also go to the callback metrics, the progress bar and the loggers, except in the sanity check).
    @discardableResult
    func runEvaluation<M: TrainingModule, V: BatchSource>(
        _ module: M, loader: V, stage: Stage, limit: BatchLimit
    ) throws -> [String: Double] where V.Batch == M.Batch {
        let metrics = MetricCollection()
        let context = StepContext(stage: stage, trainer: self, metrics: metrics)
        context.epoch = currentEpoch
        let wasTraining = module.model.training
        module.model.eval()
        defer { if wasTraining { module.model.train() } }
        isSanityChecking = stage == .sanityCheck
        defer { isSanityChecking = false }
        if stage == .validating { try module.onValidationEpochStart(self) }
        let total = limit.resolve(loader.batchCount)
        let iterator = loader.batches(epoch: 0, from: 0)
        var index = 0
        while index < total, let batch = try iterator.next() {
            context.batchIndex = index
            context.isLastBatch = index == total - 1
            context.batchSize = (batch as? BatchSizeProviding)?.batchSize ?? 1
            try withAutocast(precisionPlugin.autocast) { try withNoGrad {
                if stage == .testing { try module.testStep(batch, index: index, context: context) }
                else { try module.validationStep(batch, index: index, context: context) }
            } }
            index += 1
        }
        try synchronize(metrics)
        let values = metrics.epochMetrics()
        guard stage != .sanityCheck else { return values.callback }
        callbackMetrics.merge(values.callback) { $1 }
        progressBarMetrics.merge(values.progressBar) { $1 }
        var logged = values.logger
        if !logged.isEmpty { logged["epoch"] = Double(currentEpoch) }
        try logToLoggers(logged, step: globalStep)
        if stage == .testing {
            try module.onTestEpochEnd(self)
        } else {
            try module.onValidationEpochEnd(self)
            try forEachCallback { try $0.onValidationEpochEnd(self) }
            try forEachCallback { try $0.onValidationEnd(self) }
        }
        return values.callback
    }
}

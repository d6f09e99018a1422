import VoltData
import VoltNN
import VoltTensor

extension Trainer {
    /// Runs ``TrainingModule/predictStep(_:index:context:)`` over `loader` in evaluation mode without gradients and
    /// returns one ``Prediction`` per example, in dataset order — Lightning's `trainer.predict`.
    ///
    /// A step returns a tensor whose first axis is the batch (one row per example). Under a data-parallel strategy
    /// each rank predicts its own share with no example repeated (`IndexedBatchSource/unrepeated(rank:worldSize:)`,
    /// not the padded share training uses), and the rows are gathered back so that every rank returns all of them.
    /// Callbacks see each batch (``Callback/onPredictBatchEnd(_:predictions:batchIndex:)``) and, on rank 0, the
    /// whole set (``Callback/onPredictEpochEnd(_:predictions:)``); a ``PredictionWriter`` writes from those.
    ///
    /// - Parameters:
    ///   - module: the module whose `predictStep` runs.
    ///   - loader: the batches to predict on.
    ///   - ckptPath: weights to predict with (`"best"`, `"last"` or a path); the module's current weights when `nil`.
    ///   - returnPredictions: keep and return the predictions; with `false` (when a writer handles each batch) the
    ///     result is empty and memory stays flat, unless an epoch-interval writer needs them.
    /// - Throws: ``TrainerError/misconfiguration(_:)`` when a step's output does not have one row per example.
    @discardableResult
    public func predict<M: TrainingModule, V: IndexedBatchSource>(
        _ module: M, _ loader: V, ckptPath: String? = nil, returnPredictions: Bool = true
    ) throws -> [Prediction] where V.Batch == M.Batch {
        let share = strategy.worldSize > 1 ? loader.unrepeated(rank: strategy.rank, worldSize: strategy.worldSize) : loader
        if let ckptPath, let path = try resolveCheckpoint(ckptPath) { try loadWeights(module, from: path) }
        let wasTraining = module.model.training
        module.model.eval()
        defer { if wasTraining { module.model.train() } }
        let keep = returnPredictions || callbacks.contains { ($0 as? any PredictionWriter).map { $0.writeInterval != .batch } ?? false }
        let context = StepContext(stage: .predicting, trainer: self, metrics: MetricCollection())
        let plan = share.batchIndices(epoch: 0)
        let total = flags.limitPredictBatches.resolve(plan.count)
        let iterator = share.batches(epoch: 0, from: 0)
        var kept: [Prediction] = []
        try forEachCallback { try $0.onPredictStart(self) }
        var index = 0
        while index < total, let batch = try iterator.next() {
            context.batchIndex = index
            context.isLastBatch = index == total - 1
            let output = try withAutocast(precisionPlugin.autocast) {
                try withNoGrad { try module.predictStep(batch, index: index, context: context) }
            }
            let rows = try Self.split(output, indices: plan[index], batch: index)
            try forEachCallback { try $0.onPredictBatchEnd(self, predictions: rows, batchIndex: index) }
            if keep { kept += rows }
            index += 1
        }
        var all = kept
        if strategy.worldSize > 1 && keep {
            all = gatherWords(Prediction.encode(kept)).flatMap { Prediction.decode($0) }
        }
        all.sort { $0.index < $1.index }
        if strategy.isGlobalZero { try forEachCallback { try $0.onPredictEpochEnd(self, predictions: keep ? all : []) } }
        strategy.barrier()
        return returnPredictions ? all : []
    }

    /// The rows of a step's `output`, one per dataset index of the batch.
    private static func split(_ output: Tensor, indices: [Int], batch: Int) throws -> [Prediction] {
        guard output.rank >= 1, output.shape[0] == indices.count else {
            throw TrainerError.misconfiguration(
                "predictStep returned shape \(output.shape) for prediction batch \(batch) of \(indices.count) examples; "
                    + "its first axis must hold one row per example")
        }
        let rows = output.detached().float32().contiguous()
        let rowShape = Array(rows.shape.dropFirst()), width = rowShape.reduce(1, *)
        return indices.enumerated().map { row, index in
            let values = Array(UnsafeBufferPointer(start: rows.floatPointer + row * width, count: width))
            return Prediction(index: index, output: Tensor(shape: rowShape, scalars: values))
        }
    }

    /// Every rank's `words` (counts may differ), in rank order; collective.
    private func gatherWords(_ words: [UInt64]) -> [[UInt64]] {
        let counts = strategy.allGather([UInt64(words.count)]).map { Int($0[0]) }
        let longest = counts.max() ?? 0
        let padded = words + [UInt64](repeating: 0, count: longest - words.count)
        return zip(strategy.allGather(padded), counts).map { Array($0.prefix($1)) }
    }
}

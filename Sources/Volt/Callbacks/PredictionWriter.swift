/// When a ``PredictionWriter`` writes (Lightning's `write_interval`).
public enum PredictionWriteInterval: String, Sendable, Codable {
    /// After every batch, on every rank, with that rank's predictions of the batch.
    case batch
    /// Once at the end, on global rank 0, with every rank's predictions in dataset order.
    case epoch
    /// Both.
    case batchAndEpoch = "batch_and_epoch"
}

/// A callback that writes predictions as ``Trainer/predict(_:_:ckptPath:returnPredictions:)`` makes them —
/// Lightning's `BasePredictionWriter`. Implement the write method(s) of your interval; the trainer calls them.
public protocol PredictionWriter: Callback {
    /// When to write.
    var writeInterval: PredictionWriteInterval { get }
    /// Writes one batch's predictions of this rank (intervals `batch` and `batchAndEpoch`).
    func writeOnBatchEnd(_ trainer: Trainer, predictions: [Prediction], batchIndex: Int) throws
    /// Writes every prediction, in dataset order, on global rank 0 (intervals `epoch` and `batchAndEpoch`).
    func writeOnEpochEnd(_ trainer: Trainer, predictions: [Prediction]) throws
}

extension PredictionWriter {
    public func writeOnBatchEnd(_ trainer: Trainer, predictions: [Prediction], batchIndex: Int) throws {}
    public func writeOnEpochEnd(_ trainer: Trainer, predictions: [Prediction]) throws {}

    public func onPredictBatchEnd(_ trainer: Trainer, predictions: [Prediction], batchIndex: Int) throws {
        if writeInterval != .epoch { try writeOnBatchEnd(trainer, predictions: predictions, batchIndex: batchIndex) }
    }

    public func onPredictEpochEnd(_ trainer: Trainer, predictions: [Prediction]) throws {
        if writeInterval != .batch { try writeOnEpochEnd(trainer, predictions: predictions) }
    }
}

import VoltTensor

/// Code that runs at fixed points of the trainer's loops (Lightning's `Callback`).
///
/// Every hook has an empty default. A callback with state (``ModelCheckpoint``, ``EarlyStopping``) saves it in
/// checkpoints under ``stateKey`` as a JSON string.
public protocol Callback: AnyObject {
    /// When `fit` starts, before the sanity check and the first epoch.
    func onFitStart(_ trainer: Trainer) throws
    /// When `fit` ends, however it ended (the last epoch, a stop, or a limit), after the last checkpoint.
    func onFitEnd(_ trainer: Trainer) throws
    /// Before the first batch of each training epoch.
    func onTrainEpochStart(_ trainer: Trainer) throws
    /// After the last batch of each training epoch, once its metrics are collected.
    func onTrainEpochEnd(_ trainer: Trainer) throws
    /// After each training batch; `outputs` holds the step's loss when there is one.
    func onTrainBatchEnd(_ trainer: Trainer, batchIndex: Int) throws
    /// After each validation epoch (sanity check included), once its metrics are reduced.
    func onValidationEpochEnd(_ trainer: Trainer) throws
    /// After a validation loop of `fit` (not during the sanity check).
    func onValidationEnd(_ trainer: Trainer) throws
    /// Before each backward pass, automatic or manual, with the loss it differentiates (unscaled: fp16's loss
    /// scale is applied inside the precision plugin).
    func onBeforeBackward(_ trainer: Trainer, loss: Tensor) throws
    /// After each optimizer step that was applied.
    func onOptimizerStep(_ trainer: Trainer) throws
    /// When fp16 overflow skips an optimizer step (the gradients are dropped and the loss scale shrinks).
    func onOptimizerStepSkipped(_ trainer: Trainer) throws
    /// The metric the callback decides on, if any. The trainer reduces it across ranks before the callback reads
    /// it, so every rank takes the same decision.
    var monitoredMetric: String? { get }
    /// Before the first prediction batch.
    func onPredictStart(_ trainer: Trainer) throws
    /// After each prediction batch, on every rank, with that rank's predictions of the batch.
    func onPredictBatchEnd(_ trainer: Trainer, predictions: [Prediction], batchIndex: Int) throws
    /// After the prediction loop, on global rank 0 only, with every rank's predictions in dataset order (empty
    /// when the trainer was asked to keep none and no ``PredictionWriter`` writes at epoch end).
    func onPredictEpochEnd(_ trainer: Trainer, predictions: [Prediction]) throws
    /// Identifies the callback's state in a checkpoint; `nil` for stateless callbacks.
    var stateKey: String? { get }
    /// The state to save.
    func state() throws -> String
    /// Restores a saved state.
    func load(state: String) throws
}

extension Callback {
    public func onFitStart(_ trainer: Trainer) throws {}
    public func onFitEnd(_ trainer: Trainer) throws {}
    public func onTrainEpochStart(_ trainer: Trainer) throws {}
    public func onTrainEpochEnd(_ trainer: Trainer) throws {}
    public func onTrainBatchEnd(_ trainer: Trainer, batchIndex: Int) throws {}
    public func onValidationEpochEnd(_ trainer: Trainer) throws {}
    public func onValidationEnd(_ trainer: Trainer) throws {}
    public func onBeforeBackward(_ trainer: Trainer, loss: Tensor) throws {}
    public func onOptimizerStep(_ trainer: Trainer) throws {}
    public func onOptimizerStepSkipped(_ trainer: Trainer) throws {}
    public var monitoredMetric: String? { nil }
    public func onPredictStart(_ trainer: Trainer) throws {}
    public func onPredictBatchEnd(_ trainer: Trainer, predictions: [Prediction], batchIndex: Int) throws {}
    public func onPredictEpochEnd(_ trainer: Trainer, predictions: [Prediction]) throws {}
    public var stateKey: String? { nil }
    public func state() throws -> String { "{}" }
    public func load(state: String) throws {}
}

/// Which way a monitored metric improves.
public enum MonitorMode: String, Sendable, ConfigurationChoice {
    /// Lower is better (a loss).
    case min
    /// Higher is better (an accuracy).
    case max

    /// Whether `a` is strictly better than `b`.
    func isBetter(_ a: Double, than b: Double) -> Bool { self == .min ? a < b : a > b }
    /// The worst possible value, which NaN scores are ranked as.
    var worst: Double { self == .min ? .infinity : -.infinity }
}

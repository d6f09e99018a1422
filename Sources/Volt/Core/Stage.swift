/// The loop a step runs in.
public enum Stage: String, Sendable {
    /// `fit`'s training loop.
    case training = "train"
    /// The validation batches run before training.
    case sanityCheck = "sanity_check"
    /// A validation loop.
    case validating = "validate"
    /// The test loop.
    case testing = "test"
    /// The prediction loop.
    case predicting = "predict"

    /// Lightning's `log` defaults: step values in training, epoch values elsewhere.
    var logsOnStepByDefault: Bool { self == .training }
}

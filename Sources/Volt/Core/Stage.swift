/// The loop a step runs in.
public enum Stage: String, Sendable {
    case training = "train"
    case sanityCheck = "sanity_check"
    case validating = "validate"
    case testing = "test"
    case predicting = "predict"

    /// Lightning's `log` defaults: step values in training, epoch values elsewhere.
    var logsOnStepByDefault: Bool { self == .training }
}

/// Errors of configuring or running a ``Trainer``.
public enum TrainerError: Error, Equatable, CustomStringConvertible {
    /// The module does not implement a step the trainer needs.
    case missingStep(String)
    /// A flag combination that cannot work (Lightning's `MisconfigurationException`).
    case misconfiguration(String)
    /// A callback monitors a metric that was never logged.
    case monitoredKeyMissing(callback: String, key: String, available: [String])
    /// `fit(ckptPath:)` named a checkpoint that cannot be resolved.
    case checkpointNotFound(String)
    /// A loss or metric was not a one-element tensor.
    case notAScalar(name: String, shape: [Int])
    /// The fit stopped because the process was told to (SIGTERM, or SIGUSR1 ahead of a Slurm time limit), after
    /// saving `checkpoint` (nil when checkpointing is off). The `volt` command exits with 128 + `signal`.
    case preempted(signal: Int32, checkpoint: String?)

    public var description: String {
        switch self {
        case let .missingStep(name): "the TrainingModule does not implement \(name)"
        case let .misconfiguration(detail): "misconfigured trainer: \(detail)"
        case let .monitoredKeyMissing(callback, key, available):
            "\(callback) could not find the monitored key \"\(key)\" in the logged metrics: "
                + (available.isEmpty ? "none were logged" : available.sorted().joined(separator: ", "))
                + ". Log it with context.log(\"\(key)\", …) or monitor one of these."
        case let .checkpointNotFound(path): "checkpoint not found: \(path)"
        case let .notAScalar(name, shape): "\(name) must be a one-element tensor, have shape \(shape)"
        case let .preempted(signal, checkpoint):
            "stopped by \(PreemptionSignals.name(signal))"
                + (checkpoint.map { "; saved \($0): continue with --ckpt-path last" } ?? " (checkpointing is off: nothing was saved)")
        }
    }
}

/// Errors of the ``Tuner``.
public enum TunerError: Error, Equatable, CustomStringConvertible {
    /// An argument out of range (named in the message).
    case invalidArgument(String)
    /// Even a batch of one does not fit the memory budget.
    case nothingFits(batchSize: Int, peakBytes: Int, maxMemoryBytes: Int)

    public var description: String {
        switch self {
        case let .invalidArgument(detail): detail
        case let .nothingFits(batchSize, peak, budget):
            "a batch of \(batchSize) already needs \(ByteCount.format(peak)), more than the budget of \(ByteCount.format(budget))"
        }
    }
}

/// A number of batches as Lightning takes it: an integer is a count, a fraction a share of the epoch.
public enum BatchLimit: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    /// This many batches.
    case count(Int)
    /// This share of the batches (1.0 = all).
    case fraction(Double)

    public init(integerLiteral value: Int) { self = .count(value) }
    public init(floatLiteral value: Double) { self = .fraction(value) }

    /// All batches.
    public static let all = BatchLimit.fraction(1)

    /// The number of batches out of `total` (at least one for a positive fraction of a non-empty epoch).
    public func resolve(_ total: Int) -> Int {
        switch self {
        case let .count(n): return Swift.min(Swift.max(n, 0), total)
        case let .fraction(f):
            let n = Int((Double(total) * f).rounded(.down))
            return f > 0 && total > 0 ? Swift.max(n, 1) : n
        }
    }
}

/// Batches that report how many (non-padding) tokens they hold, for the progress bar's tokens/s.
public protocol TokenCounting {
    /// Tokens in the batch.
    var tokenCount: Int { get }
}

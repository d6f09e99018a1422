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

extension BatchLimit: Codable {
    /// Decodes Lightning's int/float rule: a whole number written without a decimal point (`1`) is a count, a
    /// number with one (`1.0`, `0.25`) is a fraction — so `limit_val_batches: 1` is one batch and `1.0` is all.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let count = try? container.decode(Int.self) {
            guard count >= 0 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a batch count must be ≥ 0, got \(count)")
            }
            self = .count(count)
            return
        }
        let fraction = try container.decode(Double.self)
        guard fraction >= 0, fraction <= 1 else {
            throw DecodingError.dataCorruptedError(in: container,
                debugDescription: "a fraction of the batches must lie in [0.0, 1.0], got \(fraction) (write an integer for a count)")
        }
        self = .fraction(fraction)
    }

    /// Encodes a count as an integer and a fraction with its decimal point, so it decodes back the same.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .count(n): try container.encode(n)
        case let .fraction(f): try container.encode(f)
        }
    }
}

import Foundation

/// One value of the flat hyper-parameter view the loggers show (``SavedHyperparameters/flattened``): TensorBoard's
/// HParams plugin and `hparams.yaml` take scalars keyed by dotted names.
public enum HParam: Sendable, Equatable, Codable, CustomStringConvertible {
    /// An integer.
    case int(Int)
    /// A number.
    case double(Double)
    /// A string.
    case string(String)
    /// A Boolean.
    case bool(Bool)

    /// The value as text.
    public var description: String {
        switch self {
        case let .int(v): String(v)
        case let .double(v): String(v)
        case let .string(v): v
        case let .bool(v): String(v)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .int(v): try c.encode(v)
        case let .double(v): try c.encode(v)
        case let .string(v): try c.encode(v)
        case let .bool(v): try c.encode(v)
        }
    }

    /// The value as a Double, when numeric or Boolean.
    public var doubleValue: Double? {
        switch self {
        case let .int(v): Double(v)
        case let .double(v): v
        case let .bool(v): v ? 1 : 0
        case .string: nil
        }
    }
}

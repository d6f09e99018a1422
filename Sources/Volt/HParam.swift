import Foundation

/// A hyper-parameter value, saved into every checkpoint (like Lightning's `save_hyperparameters`) and logged.
public enum HParam: Sendable, Equatable, Codable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

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

extension Dictionary where Key == String, Value == HParam {
    /// The hyper-parameters as one JSON object with sorted keys.
    public var jsonString: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Hyper-parameters parsed from ``jsonString``'s format.
    public init(json: String) throws {
        self = try JSONDecoder().decode([String: HParam].self, from: Data(json.utf8))
    }
}

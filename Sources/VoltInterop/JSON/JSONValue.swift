import Foundation

/// A JSON value that keeps integers and floats apart and an object's keys in order, read and written as Python's
/// `json` module does: the one JSON value type of the package (transformers' `config.json`, Optuna's storage).
///
/// Optuna stores distributions and attributes with `json.dumps` (separators `", "` and `": "`, keys in insertion
/// order, floats in `repr` form: `1e-05`, `0.1`, `-1.0`), and a categorical choice `1` differs from `1.0`. Foundation's
/// JSON types merge the two, so the storage reads and writes through this type.
public indirect enum JSONValue: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or exponent (`1`).
    case int(Int)
    /// A number written with a fraction or exponent (`1.0`, `1e-05`).
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// Keys in their order in the text.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.double(x), .double(y)): x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Whether both are the same JSON value when numbers compare by value, integer or not (`1` and `1.0`); objects
    /// compare key by key, in any order. `==` keeps `1` and `1.0` apart, as Optuna's categorical choices need.
    public func hasSameValue(as other: JSONValue) -> Bool {
        switch (self, other) {
        case let (.int(a), .double(b)), let (.double(b), .int(a)): return Double(a) == b
        case let (.array(a), .array(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.hasSameValue(as: $1) }
        case let (.object(a), .object(b)):
            let named = Dictionary(b, uniquingKeysWith: { _, last in last })
            return a.count == b.count && a.allSatisfy { key, value in named[key].map { value.hasSameValue(as: $0) } ?? false }
        default: return self == other
        }
    }

    /// An object of `members`, keys sorted (a dictionary has no order of its own).
    public init(sortingKeysOf members: [String: JSONValue]) {
        self = .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    /// What kind of value this is, in JSON's words (`a string`, `an integer`, …), for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Numbers as Double.
    public var double: Double? {
        switch self {
        case let .int(v): Double(v)
        case let .double(v): v
        default: nil
        }
    }

    /// The text `json.dumps` would write.
    public var text: String {
        switch self {
        case .null: return "null"
        case let .bool(v): return v ? "true" : "false"
        case let .int(v): return String(v)
        case let .double(v): return Self.pythonRepr(v)
        case let .string(v): return Self.quoted(v)
        case let .array(items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case let .object(members): return "{" + members.map { Self.quoted($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
        }
    }

    /// A float as Python's `json.dumps` writes it: `repr(float)` (`PythonFormat/repr(_:)`), with `NaN` and
    /// `Infinity` for the non-finite values.
    public static func pythonRepr(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        return PythonFormat.repr(v)
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7e {
                    if scalar.value > 0xFFFF {  // ensure_ascii writes a surrogate pair
                        let v = scalar.value - 0x10000
                        out += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                    } else {
                        out += String(format: "\\u%04x", scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Parses `text`.
    ///
    /// - Throws: ``JSONValueError`` with the offset of the first byte that is not JSON.
    public static func parse(_ text: String) throws -> JSONValue { try parse(bytes: Array(text.utf8)) }

    /// Parses one JSON document from UTF-8 `bytes`: strings kept scalar for scalar, objects in order, nesting at most 512 deep.
    ///
    /// - Throws: ``JSONValueError`` with the offset of the first byte that is not JSON.
    public static func parse(bytes: [UInt8]) throws -> JSONValue { try JSONParser.parse(bytes) }
}

/// Text that is not JSON.
public struct JSONValueError: Error, CustomStringConvertible, Equatable {
    /// Byte offset of the problem.
    public var offset: Int
    /// What was expected.
    public var reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    /// `true` or `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A number.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object, keys in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}

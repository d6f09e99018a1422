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
    /// compare key by key, in any order. ``==`` keeps `1` and `1.0` apart, as Optuna's categorical choices need.
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
    /// - Throws: ``JSONValueError`` with the offset of the first character that is not JSON.
    public static func parse(_ text: String) throws -> JSONValue {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw JSONValueError(offset: parser.position, reason: "trailing text") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        func fail(_ reason: String) -> JSONValueError { JSONValueError(offset: position, reason: reason) }

        mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
            let w = Array(word.utf8)
            guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else { throw fail("expected \(word)") }
            position += w.count
            return value
        }

        mutating func value() throws -> JSONValue {
            skipSpace()
            guard position < bytes.count else { throw fail("unexpected end") }
            switch bytes[position] {
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
            case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                position += 1
                var items: [JSONValue] = []
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard position < bytes.count else { throw fail("unterminated array") }
                    position += 1
                    if bytes[position - 1] == UInt8(ascii: "]") { return .array(items) }
                    guard bytes[position - 1] == UInt8(ascii: ",") else { throw fail("expected , or ]") }
                }
            case UInt8(ascii: "{"):
                position += 1
                var members: [(String, JSONValue)] = []
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let key = try string()
                    skipSpace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected :") }
                    position += 1
                    members.append((key, try value()))
                    skipSpace()
                    guard position < bytes.count else { throw fail("unterminated object") }
                    position += 1
                    if bytes[position - 1] == UInt8(ascii: "}") { return .object(members) }
                    guard bytes[position - 1] == UInt8(ascii: ",") else { throw fail("expected , or }") }
                }
            default: return try number()
            }
        }

        mutating func number() throws -> JSONValue {
            let start = position
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "I") { _ = try literal("Infinity", .null); return .double(-.infinity) }
            }
            var isFloat = false
            while position < bytes.count {
                let b = bytes[position]
                if b >= 0x30 && b <= 0x39 || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    isFloat = true
                } else { break }
                position += 1
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if !isFloat, let v = Int(text) { return .int(v) }
            guard let v = Double(text) else { position = start; throw fail("not a JSON value") }
            return .double(v)
        }

        mutating func string() throws -> String {
            position += 1
            var scalars = String.UnicodeScalarView()
            var pendingHigh: UInt32?
            var raw: [UInt8] = []
            func flushRaw() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw.removeAll() }
            while position < bytes.count {
                let b = bytes[position]
                position += 1
                if b == UInt8(ascii: "\"") { flushRaw(); return String(scalars) }
                guard b == UInt8(ascii: "\\") else { raw.append(b); continue }
                flushRaw()
                guard position < bytes.count else { break }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{c}")
                case UInt8(ascii: "u"):
                    guard position + 4 <= bytes.count,
                          let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
                        throw fail("bad \\u escape")
                    }
                    position += 4
                    if v >= 0xD800 && v < 0xDC00 { pendingHigh = v; continue }
                    if v >= 0xDC00 && v < 0xE000, let high = pendingHigh {
                        pendingHigh = nil
                        if let s = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (v - 0xDC00)) { scalars.append(s) }
                        continue
                    }
                    if let s = Unicode.Scalar(v) { scalars.append(s) }
                default: scalars.append(Unicode.Scalar(e))
                }
            }
            throw fail("unterminated string")
        }
    }
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

/// The value of an HDF5 attribute as Volt reads it: a string, 64-bit integer or double, or a 1-D array of one
/// of those.
///
/// Strings are written as variable-length UTF-8 (no size limit: the text lives in the file's global heap);
/// fixed-length strings, as some tools write them, read back too. Integers of any width read as `Int64`
/// (values beyond its range are clamped by HDF5), floats of any width as `Double`. Encodes to JSON as the bare
/// value (`"fp16"`, `1`, `0.5`, `[1, 2]`); JSON does not tell `40.0` from `40`, so an integral double decodes
/// back as ``int(_:)``.
public enum HDF5AttributeValue: Sendable, Equatable, Codable, CustomStringConvertible {
    /// A scalar string.
    case string(String)
    /// A scalar integer.
    case int(Int64)
    /// A scalar floating-point number.
    case double(Double)
    /// A 1-D array of strings.
    case strings([String])
    /// A 1-D array of integers.
    case ints([Int64])
    /// A 1-D array of floating-point numbers.
    case doubles([Double])

    /// The value as a string, when it is one (or a one-element string array).
    public var stringValue: String? {
        switch self {
        case let .string(s): s
        case let .strings(a) where a.count == 1: a[0]
        default: nil
        }
    }

    /// The value as an integer, when it is an integer or an integral double (or a one-element array of them).
    public var intValue: Int64? {
        switch self {
        case let .int(v): v
        case let .ints(a) where a.count == 1: a[0]
        case let .double(v): Int64(exactly: v)
        case let .doubles(a) where a.count == 1: Int64(exactly: a[0])
        default: nil
        }
    }

    /// The value as a double, when it is numeric (or a one-element numeric array).
    public var doubleValue: Double? {
        switch self {
        case let .double(v): v
        case let .doubles(a) where a.count == 1: a[0]
        case let .int(v): Double(v)
        case let .ints(a) where a.count == 1: Double(a[0])
        default: nil
        }
    }

    /// Strings quoted, numbers as Swift prints them, arrays in brackets.
    public var description: String {
        switch self {
        case let .string(s): "\"\(s)\""
        case let .int(v): String(v)
        case let .double(v): String(v)
        case let .strings(a): "[" + a.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case let .ints(a): "\(a)"
        case let .doubles(a): "\(a)"
        }
    }

    /// Decodes a bare JSON string, integer, number or array of one of those.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Int64.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([Int64].self) { self = .ints(v) }
        else if let v = try? c.decode([Double].self) { self = .doubles(v) }
        else { self = .strings(try c.decode([String].self)) }
    }

    /// Encodes the bare value.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .string(v): try c.encode(v)
        case let .int(v): try c.encode(v)
        case let .double(v): try c.encode(v)
        case let .strings(v): try c.encode(v)
        case let .ints(v): try c.encode(v)
        case let .doubles(v): try c.encode(v)
        }
    }
}

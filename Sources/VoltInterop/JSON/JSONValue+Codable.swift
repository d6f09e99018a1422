/// Any JSON (or YAML) value: null, bool, integer, float, string, list or object (scalars tried in that order, so
/// `5` stays an integer and `5.0` a float, as far as the decoder can tell them apart). An object decoded through
/// `Decoder` has its keys sorted, since Swift's keyed containers do not keep the text's order; ``parse(_:)`` keeps it.
extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else if let v = try? c.decode([String: JSONValue].self) { self = .object(v.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected null, a bool, a number, a string, a list or an object"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(v): try c.encode(v)
        case let .int(v): try c.encode(v)
        case let .double(v): try c.encode(v)
        case let .string(v): try c.encode(v)
        case let .array(v): try c.encode(v)
        case let .object(members): try c.encode(Dictionary(members, uniquingKeysWith: { a, _ in a }))
        }
    }
}

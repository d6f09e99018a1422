import Foundation
import Yams

/// Writes configuration values and hyper-parameters as YAML nodes, YAML text or JSON, with keys in snake_case
/// and in the order the type declares them — the inverse of `NodeDecoder`.
public enum ConfigurationEncoder {
    /// `value` as a YAML node tree.
    ///
    /// - Throws: `EncodingError` when the value cannot be encoded.
    public static func node<T: Encodable>(_ value: T) throws -> Node {
        let text = try YAMLEncoder().encode(value)
        return snakeCasingKeys(try Yams.compose(yaml: text) ?? .mapping([:]))
    }

    /// A plain scalar that is a fraction, written as Swift writes a Double (`0.8`, `1e-05`, `60.0`) rather than
    /// as the emitter does (`8e-1`): shorter, and a whole number keeps its decimal point.
    private static func readableNumber(_ scalar: Node.Scalar) -> Node.Scalar {
        guard scalar.style == .plain || scalar.style == .any, Int.construct(from: scalar) == nil,
              let number = Double.construct(from: scalar), number.isFinite else { return scalar }
        var result = scalar
        result.string = "\(number)"
        return result
    }

    /// `value` as YAML text.
    ///
    /// - Throws: `EncodingError` when the value cannot be encoded.
    public static func yaml<T: Encodable>(_ value: T) throws -> String { try Yams.serialize(node: node(value)) }

    /// `value` as one line of JSON (numbers keep their decimal point, so `1.0` stays a fraction).
    ///
    /// - Throws: `EncodingError` when the value cannot be encoded.
    public static func json<T: Encodable>(_ value: T) throws -> String { json(try node(value)) }

    /// A node tree as JSON: plain scalars that YAML reads as null, booleans or numbers stay bare, the rest are
    /// strings.
    public static func json(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar):
            if scalar.style == .plain || scalar.style == .any {
                if node.isNullScalar { return "null" }
                if let flag = Bool.construct(from: scalar) { return flag ? "true" : "false" }
                if let integer = Int.construct(from: scalar) { return String(integer) }
                if let number = Double.construct(from: scalar) ?? Double(scalar.string), number.isFinite {
                    let text = scalar.string
                    return Double(text) == number && !text.hasPrefix(".") && !text.hasPrefix("+") ? text : String(number)
                }
            }
            return quoted(scalar.string)
        case let .mapping(mapping):
            return "{" + mapping.map { quoted($0.key.string ?? "") + ":" + json($0.value) }.joined(separator: ",") + "}"
        case let .sequence(sequence):
            return "[" + sequence.map(json).joined(separator: ",") + "]"
        case .alias:
            return "null"
        }
    }

    private static func quoted(_ text: String) -> String {
        (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// The tree with every mapping key in snake_case.
    static func snakeCasingKeys(_ node: Node) -> Node {
        switch node {
        case let .mapping(mapping):
            let pairs = mapping.map { (key: Node, value: Node) -> (Node, Node) in
                (key.string.map { Node($0.snakeCased) } ?? key, snakeCasingKeys(value))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case let .sequence(sequence):
            return .sequence(Node.Sequence(sequence.map(snakeCasingKeys), sequence.tag, sequence.style, sequence.mark))
        case let .scalar(scalar):
            return .scalar(readableNumber(scalar))
        default:
            return node
        }
    }
}

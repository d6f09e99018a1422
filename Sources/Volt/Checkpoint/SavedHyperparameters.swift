import Foundation
import Yams

/// A module's hyper-parameters as a checkpoint stores them: one JSON object in the `hparams` attribute, written
/// from the module's Codable ``TrainingModule/Hyperparameters`` with snake_case keys.
public struct SavedHyperparameters: Sendable, Equatable, CustomStringConvertible {
    /// The JSON object.
    public let json: String

    /// Hyper-parameters from a JSON object's text.
    ///
    /// - Throws: ``ConfigurationError`` when the text is not a JSON object.
    public init(json: String) throws {
        guard case .mapping? = try? Yams.compose(yaml: json) else {
            throw ConfigurationError.unreadable(file: "hparams", reason: "not a JSON object")
        }
        self.json = json
    }

    /// `value` encoded.
    ///
    /// - Throws: `EncodingError` when the value cannot be encoded.
    public init<T: Encodable>(_ value: T) throws { json = try ConfigurationEncoder.json(value) }

    /// No hyper-parameters: `{}`.
    public static let empty = try! SavedHyperparameters(json: "{}")

    /// The saved value decoded as `type`; keys it lacks take their defaults when `type` is a
    /// ``ConfigurationSection``, and keys it does not know are errors naming them.
    ///
    /// - Throws: ``ConfigurationError`` naming `source` (the checkpoint) and the key.
    public func decode<T: Decodable>(_ type: T.Type, source: String = "hparams") throws -> T {
        var text = json
        if let upgrading = T.self as? any SavedLayoutUpgrading.Type, let node = try? Yams.compose(yaml: json) {
            let upgraded = upgrading.upgradeSavedLayout(node)
            if upgraded != node { text = ConfigurationEncoder.json(upgraded) }
        }
        return try ConfigurationLoader.decode(type, from: text, source: "\(source) (hparams)")
    }

    /// The flat view loggers show: nested keys joined with dots (`peft.r`), lists by position (`split.0`).
    public var flattened: [String: HParam] {
        guard let root = try? Yams.compose(yaml: json) else { return [:] }
        var flat: [String: HParam] = [:]
        func walk(_ node: Node, _ prefix: String) {
            switch node {
            case let .mapping(mapping):
                for (key, value) in mapping { walk(value, prefix.isEmpty ? (key.string ?? "") : prefix + "." + (key.string ?? "")) }
            case let .sequence(items):
                for (i, item) in items.enumerated() { walk(item, prefix + ".\(i)") }
            case let .scalar(scalar):
                guard !node.isNullScalar || scalar.style != .plain else { return }
                if scalar.style == .plain, let flag = Bool.construct(from: scalar) { flat[prefix] = .bool(flag) }
                else if scalar.style == .plain, let integer = Int.construct(from: scalar) { flat[prefix] = .int(integer) }
                else if scalar.style == .plain, let number = Double(scalar.string) { flat[prefix] = .double(number) }
                else { flat[prefix] = .string(scalar.string) }
            case .alias:
                return
            }
        }
        walk(root, "")
        return flat
    }

    /// The JSON object.
    public var description: String { json }
}

/// A hyper-parameter type whose saved layout has changed: ``upgradeSavedLayout(_:)`` rewrites what an older
/// checkpoint saved into today's layout before ``SavedHyperparameters/decode(_:source:)`` decodes it, so checkpoints
/// written before the change still load.
public protocol SavedLayoutUpgrading {
    /// `saved` (the `hparams` object as a YAML node) in today's layout; unchanged when it already is.
    static func upgradeSavedLayout(_ saved: Node) -> Node
}

import Foundation
import Yams

/// Reads YAML configuration onto a Codable type: files merged in order, then `--dotted.key value` overrides,
/// decoded onto the type's defaults (``ConfigurationSection``), with every unknown key, wrong type and bad value
/// reported as a ``ConfigurationError`` naming the file, the line and the dotted key.
public enum ConfigurationLoader {
    /// A decoded configuration and what is needed to print it back.
    public struct Loaded<Value: Encodable> {
        /// The configuration.
        public var value: Value
        /// For each mapping (by dotted path), every key its type accepts — so that printing can show optional keys
        /// left unset as `null`.
        let acceptedKeys: [String: [String]]

        /// The complete configuration as YAML: every key, defaults included (unset optional keys as `null`). It
        /// loads back to the same value.
        ///
        /// - Throws: `EncodingError` when the value cannot be encoded.
        public func resolvedYAML() throws -> String {
            try Yams.serialize(node: withNulls(ConfigurationEncoder.node(value), path: ""))
        }

        private func withNulls(_ node: Node, path: String) -> Node {
            switch node {
            case let .mapping(mapping):
                var pairs = mapping.map { (key: Node, value: Node) -> (Node, Node) in
                    let name = key.string ?? ""
                    return (key, withNulls(value, path: path.isEmpty ? name : path + "." + name))
                }
                for key in acceptedKeys[path] ?? [] where mapping[key] == nil { pairs.append((Node(key), Node("null"))) }
                return .mapping(Node.Mapping(pairs))
            case let .sequence(sequence):
                return .sequence(Node.Sequence(sequence.enumerated().map { withNulls($1, path: "\(path)[\($0)]") }))
            default:
                return node
            }
        }
    }

    /// Loads `paths` (each later file overriding the keys it sets: mappings merge key by key, a list or a value
    /// replaces the earlier one), then `overrides` such as `("trainer.max_epochs", "1")`, onto `type`.
    ///
    /// - Throws: ``ConfigurationError`` naming the file and line (or the override) and the key path of an unknown
    ///   key, a value of the wrong type, or unreadable YAML.
    public static func load<T: Codable>(_ type: T.Type, paths: [String], overrides: [(key: String, value: String)] = []) throws -> Loaded<T> {
        let (root, files) = try merged(paths: paths, overrides: overrides)
        let origins = Origins(files: files, overridden: overrides.map(\.key), root: root)
        let (value, decoder) = try strictlyDecode(type, from: root, origins: origins)
        return Loaded(value: value, acceptedKeys: decoder.requestedKeys)
    }

    /// The files merged in order and the overrides applied, before decoding; with each file's own tree.
    static func merged(paths: [String], overrides: [(key: String, value: String)]) throws
        -> (root: Node, files: [(path: String, node: Node)]) {
        var root: Node = .mapping([:])
        var files: [(path: String, node: Node)] = []
        for path in paths {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ConfigurationError.unreadable(file: path, reason: "\(error.localizedDescription)")
            }
            let node: Node
            do { node = try Yams.compose(yaml: text) ?? .mapping([:]) } catch {
                throw ConfigurationError.unreadable(file: path, reason: "\(error)")
            }
            guard case .mapping = node else {
                throw ConfigurationError.invalidValue(file: path, key: "<root>", reason: "expected a mapping of sections")
            }
            files.append((path, node))
            root = NodeDecoder.merging(defaults: root, given: node)
        }
        for (key, value) in overrides {
            let source = "command-line override --\(key)"
            let node: Node
            do { node = try Yams.compose(yaml: value) ?? Node("") } catch {
                throw ConfigurationError.invalidValue(file: source, key: key, reason: "\(error)")
            }
            root = try setting(root, path: key.split(separator: ".").map(String.init), to: node, source: source)
        }
        return (root, files)
    }

    /// `value` with each dotted key of `settings` set to its value (`("module.lr", 3e-4)`), decoded again so
    /// that every key and type is checked as in a file: the in-memory form of command-line overrides, for values
    /// that are already typed (a search's sampled parameters).
    ///
    /// - Throws: ``ConfigurationError`` naming `source` and the key of an unknown key or a value of the wrong type.
    public static func applying<T: Codable>(_ settings: [(key: String, value: any Encodable)], to value: T,
                                            source: String) throws -> T {
        var root = try ConfigurationEncoder.node(value)
        for (key, setting) in settings {
            let node: Node
            do { node = try ConfigurationEncoder.node(AnyEncodable(setting)) } catch {
                throw ConfigurationError.invalidValue(file: source, key: key, reason: "\(error)")
            }
            root = try self.setting(root, path: key.split(separator: ".").map(String.init), to: node, source: source)
        }
        let origins = Origins(files: [], overridden: settings.map(\.key), root: root, overrideLabel: source + " ")
        return try strictlyDecode(T.self, from: root, origins: origins).value
    }

    /// Decodes `type` from YAML or JSON `text` (saved hyper-parameters), onto its defaults, rejecting unknown keys.
    ///
    /// - Throws: ``ConfigurationError`` naming `source` and the key.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, source: String) throws -> T {
        let root: Node
        do { root = try Yams.compose(yaml: text) ?? .mapping([:]) } catch {
            throw ConfigurationError.unreadable(file: source, reason: "\(error)")
        }
        let origins = Origins(files: [(source, root)], overridden: [], root: root)
        return try strictlyDecode(type, from: root, origins: origins).value
    }

    /// `type` decoded from `root` onto its defaults, with the decoder (which knows the keys each mapping accepts).
    /// An unknown key is reported in preference to a missing key it may have caused (a misspelt required key); a
    /// bad value is reported as such, since the keys after it were never read and would look unknown.
    private static func strictlyDecode<T: Decodable>(_ type: T.Type, from root: Node, origins: Origins) throws
        -> (value: T, decoder: NodeDecoder) {
        let decoder = NodeDecoder()
        let value: T
        do {
            value = try decoder.decode(type, from: root)
        } catch let error as DecodingError {
            if case .keyNotFound = error, let unknown = decoder.unknownKeys(in: root).first { throw origins.unknownKey(unknown) }
            throw origins.invalidValue(error)
        }
        if let unknown = decoder.unknownKeys(in: root).first { throw origins.unknownKey(unknown) }
        return (value, decoder)
    }

    /// The scalar at dotted `key` (`model.family`) of the configuration that `paths` and `overrides` give, before
    /// any decoding: what picks a configuration layout before the layout's type reads the files. `nil` when the
    /// key is absent or null.
    ///
    /// - Throws: ``ConfigurationError`` for an unreadable file or override, or a key whose value is not a scalar.
    public static func scalar(at key: String, paths: [String], overrides: [(key: String, value: String)] = []) throws -> String? {
        var node: Node? = try merged(paths: paths, overrides: overrides).root
        for part in key.split(separator: ".") { node = node?.mapping?[String(part)] }
        guard let node, !node.isNullScalarValue else { return nil }
        guard case let .scalar(scalar) = node else {
            throw ConfigurationError.invalidValue(file: paths.last ?? "the configuration", key: key, reason: "expected one name")
        }
        return scalar.string
    }

    /// Parses `--a.b value` and `--a.b=value` pairs.
    ///
    /// - Throws: ``ConfigurationError`` for an argument that is not an option or lacks its value.
    public static func parseOverrides(_ arguments: [String]) throws -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            guard arg.hasPrefix("--"), arg.count > 2 else {
                throw ConfigurationError.invalidValue(file: "command line", key: arg, reason: "expected --section.key value")
            }
            let body = String(arg.dropFirst(2))
            if let eq = body.firstIndex(of: "=") {
                result.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
                i += 1
            } else {
                guard i + 1 < arguments.count else {
                    throw ConfigurationError.invalidValue(file: "command line", key: body, reason: "missing value")
                }
                result.append((body, arguments[i + 1]))
                i += 2
            }
        }
        return result
    }

    /// `root` with the value at the dotted `path` replaced.
    static func setting(_ root: Node, path: [String], to value: Node, source: String) throws -> Node {
        guard let head = path.first else { return value }
        var mapping: Node.Mapping
        switch root {
        case let .mapping(m): mapping = m
        case .scalar where root.isNullScalar: mapping = [:]
        default:
            throw ConfigurationError.invalidValue(file: source, key: path.joined(separator: "."), reason: "cannot set a key inside a value")
        }
        let child = mapping[head] ?? Node.mapping([:])
        mapping[head] = try setting(child, path: Array(path.dropFirst()), to: value, source: source)
        return .mapping(mapping)
    }
}

/// Where each key of a merged configuration came from.
private struct Origins {
    let files: [(path: String, node: Node)]
    let overridden: [String]
    let root: Node
    /// How an overridden key's origin is named, before the key.
    var overrideLabel = "command-line override --"

    /// `file:line` of the last file that sets `key`, or the command-line override that set it.
    func origin(_ key: String) -> String {
        if let override = overridden.last(where: { key == $0 || key.hasPrefix($0 + ".") || $0.hasPrefix(key + ".") }) {
            return overrideLabel + override
        }
        for file in files.reversed() {
            if let found = Self.node(at: key, in: file.node) { return found.mark.map { "\(file.path):\($0.line)" } ?? file.path }
        }
        // The nearest enclosing section that a file sets.
        var parts = key.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            parts.removeLast()
            let parent = parts.joined(separator: ".")
            for file in files.reversed() where !parent.isEmpty {
                if let found = Self.node(at: parent, in: file.node) { return found.mark.map { "\(file.path):\($0.line)" } ?? file.path }
            }
        }
        return files.isEmpty ? "command line" : files.map(\.path).joined(separator: " + ")
    }

    func unknownKey(_ unknown: NodeDecoder.UnknownKey) -> ConfigurationError {
        func dotted(_ key: String) -> String { unknown.path.isEmpty ? key : unknown.path + "." + key }
        let full = dotted(unknown.key)
        if let renamed = unknown.renamedTo { return .renamedKey(file: origin(full), key: full, newKey: dotted(renamed)) }
        return .unknownKey(file: origin(full), key: full, allowed: unknown.allowed)
    }

    func invalidValue(_ error: DecodingError) -> ConfigurationError {
        switch error {
        case let .typeMismatch(_, context), let .dataCorrupted(context), let .valueNotFound(_, context):
            let key = NodeDecoder.keyPath(context.codingPath)
            let got = Self.node(at: key, in: root)?.errorDescription ?? "nothing"
            let reason = context.debugDescription.hasPrefix("must be") || context.debugDescription.hasPrefix("expected")
                ? "\(key.isEmpty ? "the value" : key) \(context.debugDescription)"
                : "\(context.debugDescription) (got \(got))"
            return .invalidValue(file: origin(key), key: key.isEmpty ? "<root>" : key, reason: reason)
        case let .keyNotFound(missing, context):
            let key = NodeDecoder.keyPath(context.codingPath + [missing])
            return .invalidValue(file: origin(key), key: key, reason: "\(key) is required")
        @unknown default:
            return .invalidValue(file: origin(""), key: "<root>", reason: "\(error)")
        }
    }

    /// The node at a dotted key path with `[i]` list positions.
    static func node(at key: String, in root: Node) -> Node? {
        var current: Node? = root
        for part in key.split(separator: ".").map(String.init) where !part.isEmpty {
            var name = Substring(part), indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "["),
                  let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indices.insert(i, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty {
                guard case let .mapping(m)? = current else { return nil }
                current = m[String(name)]
            }
            for i in indices {
                guard case let .sequence(items)? = current, i < items.count else { return nil }
                current = items[i]
            }
        }
        return current
    }
}

/// An encodable value of any type, so a list of them can be encoded one by one.
private struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}

private extension Node {
    /// `null`, `~` or nothing.
    var isNullScalarValue: Bool { if case let .scalar(s) = self { ["null", "~", ""].contains(s.string) } else { false } }
}

import Foundation
import Yams

/// Reads `config.yaml`: YAML → unknown-key check → command-line overrides → ``FineTuneConfiguration``.
public enum ConfigurationLoader {
    /// Loads `path` (or the defaults when `nil`) with `overrides` such as `["trainer.max_epochs": "1"]`.
    ///
    /// - Throws: ``ConfigurationError`` naming the file and the key path of an unknown key, a value of the wrong
    ///   type, or unreadable YAML.
    public static func load(path: String?, overrides: [(key: String, value: String)] = []) throws -> FineTuneConfiguration {
        try load(paths: path.map { [$0] } ?? [], overrides: overrides)
    }

    /// Loads several files, each later one overriding the keys it sets (mappings merge key by key; a list or a
    /// value replaces the earlier one), then `overrides` — `volt fit --config c.yaml --config batch_size.yaml`.
    ///
    /// - Throws: ``ConfigurationError`` naming the file and the key path of an unknown key, a value of the wrong
    ///   type, or unreadable YAML.
    public static func load(paths: [String], overrides: [(key: String, value: String)] = []) throws -> FineTuneConfiguration {
        var root: Node = [:]
        var files: [(path: String, node: Node)] = []
        let source = paths.isEmpty ? "command line" : paths.joined(separator: " + ")
        for path in paths {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ConfigurationError.unreadable(file: path, reason: "\(error.localizedDescription)")
            }
            let node: Node
            do { node = try Yams.compose(yaml: text) ?? [:] } catch {
                throw ConfigurationError.unreadable(file: path, reason: "\(error)")
            }
            files.append((path, node))
            root = merging(root, node)
        }
        for (key, value) in overrides {
            let node: Node
            do { node = try Yams.compose(yaml: value) ?? Node("") } catch {
                throw ConfigurationError.invalidValue(file: "command-line override --\(key)", key: key, reason: "\(error)")
            }
            root = try setting(root, path: key.split(separator: ".").map(String.init), to: node, source: "command-line override --\(key)")
        }
        let overridden = Set(overrides.map(\.key))
        /// The file (or override) a key path came from, with the line when it came from a file.
        func origin(_ key: String) -> String {
            if overridden.contains(key) || overridden.contains(where: { key.hasPrefix($0 + ".") }) { return "command-line override --\(key)" }
            // The last file that sets the key is the one whose value counts.
            for file in files.reversed() {
                if let found = node(at: key, in: file.node) { return found.mark.map { "\(file.path):\($0.line)" } ?? file.path }
            }
            return source
        }
        do {
            try validate(root, schema: schema, path: "", file: source)
        } catch let ConfigurationError.unknownKey(_, key, allowed) {
            throw ConfigurationError.unknownKey(file: origin(key), key: key, allowed: allowed)
        } catch let ConfigurationError.invalidValue(_, key, reason) {
            throw ConfigurationError.invalidValue(file: origin(key), key: key, reason: reason)
        }
        do {
            return try YAMLDecoder().decode(FineTuneConfiguration.self, from: root)
        } catch let DecodingError.typeMismatch(type, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            let got = node(at: key, in: root).map(describe) ?? "nothing"
            throw ConfigurationError.invalidValue(file: origin(key), key: key, reason: "\(key) must be \(Self.expected(type)), got \(got)")
        } catch let DecodingError.dataCorrupted(context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            let got = node(at: key, in: root).map(describe) ?? "nothing"
            throw ConfigurationError.invalidValue(file: origin(key), key: key, reason: "\(context.debugDescription) (got \(got))")
        }
    }

    /// `base` with `top` laid over it: mappings merge key by key, anything else in `top` replaces `base`.
    static func merging(_ base: Node, _ top: Node) -> Node {
        guard case var .mapping(merged) = base, case let .mapping(upper) = top else { return top }
        for (key, value) in upper { merged[key] = merged[key].map { merging($0, value) } ?? value }
        return .mapping(merged)
    }

    /// "an integer", "a number", … for a type a key must have.
    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: type is any Collection.Type ? "a list" : "a \(type)"
        }
    }

    /// A node as a person would write it.
    static func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): scalar.string.isEmpty ? "an empty value" : scalar.string
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The node at a dotted key path (`trainer.callbacks[0].model_checkpoint.monitor`, or a decoder's
    /// `trainer.callbacks.Index 0.model_checkpoint.monitor`).
    static func node(at key: String, in root: Node) -> Node? {
        var current: Node? = root
        func index(_ i: Int) {
            if case let .sequence(items)? = current, i < items.count { current = items[i] } else { current = nil }
        }
        for part in key.split(separator: ".").map(String.init) where !part.isEmpty {
            if part.hasPrefix("Index "), let i = Int(part.dropFirst(6)) { index(i); continue }
            var name = Substring(part), indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "["), let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indices.insert(i, at: 0)
                name = name[..<open]
            }
            if case let .mapping(m)? = current { current = m[Node(String(name))] } else { return nil }
            for i in indices { index(i) }
        }
        return current
    }

    /// Parses `--a.b value` and `--a.b=value` pairs.
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

    /// The keys each section accepts.
    indirect enum Schema: Sendable {
        case mapping([String: Schema])
        case list(Schema)
        case scalar
        /// A list of scalars (e.g. split, loggers).
        case scalars
        /// One scalar or a list of them (LoRA's target_modules: a pattern or names).
        case scalarOrScalars
        /// A mapping whose keys are free (e.g. tune.space, keyed by dotted configuration keys), each value of the schema.
        case dictionary(Schema)
    }

    static let schema: Schema = .mapping([
        "seed": .scalar,
        "data": keys(FineTuneConfiguration.DataSection.CodingKeys.self, lists: ["split"]),
        "model": keys(FineTuneConfiguration.ModelSection.CodingKeys.self),
        "module": keys(FineTuneConfiguration.ModuleSection.CodingKeys.self),
        "trainer": {
            guard case var .mapping(trainer) = keys(FineTuneConfiguration.TrainerSection.CodingKeys.self, lists: ["loggers"]) else {
                return .scalar
            }
            trainer["callbacks"] = .list(.mapping([
                "model_checkpoint": keys(FineTuneConfiguration.ModelCheckpointSection.CodingKeys.self),
                "early_stopping": keys(FineTuneConfiguration.EarlyStoppingSection.CodingKeys.self),
                "lr_monitor": keys(FineTuneConfiguration.LRMonitorSection.CodingKeys.self),
            ]))
            return .mapping(trainer)
        }(),
        "peft": .mapping(Dictionary(uniqueKeysWithValues: FineTuneConfiguration.PEFTSection.keys.map { key in
            (key, key == "target_modules" ? .scalarOrScalars : key == "modules_to_save" ? .scalars : .scalar)
        })),
        "tune": {
            guard case var .mapping(tune) = keys(FineTuneConfiguration.TuneSection.CodingKeys.self) else { return .scalar }
            tune["space"] = .dictionary(keys(FineTuneConfiguration.SearchParameterSection.CodingKeys.self, lists: ["choices"]))
            return .mapping(tune)
        }(),
    ])

    static func keys<K: CodingKey & CaseIterable>(_: K.Type, lists: Set<String> = []) -> Schema {
        .mapping(Dictionary(uniqueKeysWithValues: K.allCases.map { ($0.stringValue, lists.contains($0.stringValue) ? .scalars : .scalar) }))
    }

    static func validate(_ node: Node, schema: Schema, path: String, file: String) throws {
        switch (schema, node) {
        case let (.mapping(fields), .mapping(mapping)):
            for (keyNode, value) in mapping {
                let key = keyNode.string ?? "\(keyNode)"
                let full = path.isEmpty ? key : path + "." + key
                guard let field = fields[key] else {
                    throw ConfigurationError.unknownKey(file: file, key: full, allowed: fields.keys.sorted())
                }
                if value == Node("~") || value.null != nil { continue }
                try validate(value, schema: field, path: full, file: file)
            }
        case let (.dictionary(element), .mapping(mapping)):
            for (keyNode, value) in mapping {
                let full = path + "." + (keyNode.string ?? "\(keyNode)")
                try validate(value, schema: element, path: full, file: file)
            }
        case let (.list(element), .sequence(items)):
            for (i, item) in items.enumerated() { try validate(item, schema: element, path: "\(path)[\(i)]", file: file) }
        case (.scalar, .scalar), (.scalars, .sequence), (.scalarOrScalars, .scalar), (.scalarOrScalars, .sequence):
            return
        case (.mapping, _), (.dictionary, _):
            throw ConfigurationError.invalidValue(file: file, key: path.isEmpty ? "<root>" : path, reason: "expected a mapping")
        case (.list, _), (.scalars, _), (.scalarOrScalars, _):
            throw ConfigurationError.invalidValue(file: file, key: path, reason: "expected a list")
        case (.scalar, _):
            throw ConfigurationError.invalidValue(file: file, key: path, reason: "expected a single value")
        }
    }

    /// `root` with the value at the dotted `path` replaced.
    static func setting(_ root: Node, path: [String], to value: Node, source: String) throws -> Node {
        guard let head = path.first else { return value }
        var mapping: Node.Mapping
        switch root {
        case let .mapping(m): mapping = m
        case .scalar where root.null != nil: mapping = [:]
        default:
            throw ConfigurationError.invalidValue(file: source, key: path.joined(separator: "."), reason: "cannot set a key inside a value")
        }
        let child = mapping[Node(head)] ?? Node.mapping([:])
        mapping[Node(head)] = try setting(child, path: Array(path.dropFirst()), to: value, source: source)
        return .mapping(mapping)
    }
}

/// A configuration that cannot be used.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case unknownKey(file: String, key: String, allowed: [String])
    case invalidValue(file: String, key: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read configuration: \(reason)"
        case let .unknownKey(file, key, allowed): "\(file): unknown key \"\(key)\" (allowed here: \(allowed.joined(separator: ", ")))"
        case let .invalidValue(file, key, reason): "\(file): invalid value for \"\(key)\": \(reason)"
        }
    }
}

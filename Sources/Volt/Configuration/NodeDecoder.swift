import Foundation
import Yams

/// Decodes a `Decodable` value from a YAML node tree the way configuration files (and saved hyper-parameters) are
/// read:
/// - keys are looked up as written in the type and then in snake_case, so `maxEpochs` reads `max_epochs`;
/// - a ``ConfigurationSection`` with keys left out takes them from its `init()`;
/// - every key each mapping was asked for is recorded, so that ``unknownKeys(in:)`` can name the keys nothing read.
final class NodeDecoder {
    /// For each mapping (by key path): the keys its type asked for, in snake_case.
    private(set) var requestedKeys: [String: [String]] = [:]
    /// For each mapping (by key path): the keys of the node that were read.
    private var readKeys: [String: Set<String>] = [:]
    /// For each mapping (by key path) decoded as a ``ConfigurationSection``: its ``ConfigurationSection/renamedKeys``.
    private var renamedKeys: [String: [String: String]] = [:]

    /// Decodes `type` from `node`.
    func decode<T: Decodable>(_ type: T.Type, from node: Node) throws -> T {
        try value(type, at: node, path: [])
    }

    /// A key that nothing read: the key path of its mapping, the keys that mapping accepts, and the key that
    /// replaced it when its section renamed it.
    typealias UnknownKey = (path: String, key: String, allowed: [String], renamedTo: String?)

    /// The keys of `node` (the tree given to ``decode(_:from:)``, before defaults) that nothing read.
    func unknownKeys(in node: Node) -> [UnknownKey] {
        var found: [UnknownKey] = []
        func walk(_ node: Node, _ path: String) {
            switch node {
            case let .mapping(mapping):
                guard let read = readKeys[path] else { return }
                for (keyNode, child) in mapping {
                    let key = keyNode.string ?? "\(keyNode)"
                    guard read.contains(key) else {
                        found.append((path, key, requestedKeys[path] ?? [], renamedKeys[path]?[key]))
                        continue
                    }
                    walk(child, path.isEmpty ? key : path + "." + key)
                }
            case let .sequence(items):
                for (i, item) in items.enumerated() { walk(item, "\(path)[\(i)]") }
            default:
                return
            }
        }
        walk(node, "")
        return found
    }

    /// The dotted key path of a coding path: `trainer.callbacks[0].model_checkpoint.monitor`.
    static func keyPath(_ codingPath: [CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let index = key.intValue, key is IndexKey {
                result += "[\(index)]"
            } else {
                result += (result.isEmpty ? "" : ".") + key.stringValue.snakeCased
            }
        }
        return result
    }

    func value<T: Decodable>(_ type: T.Type, at node: Node, path: [CodingKey]) throws -> T {
        var node = node
        if let section = T.self as? any ConfigurationSection.Type {
            if !section.renamedKeys.isEmpty { renamedKeys[Self.keyPath(path)] = section.renamedKeys }
            node = Self.merging(defaults: try ConfigurationEncoder.node(section.init()), given: node)
        }
        let value = try T(from: NodeDecoding(node: node, codingPath: path, decoder: self))
        do { try (value as? any ConfigurationSection)?.validate() } catch let error as ConfigurationValueError {
            throw DecodingError.dataCorrupted(.init(codingPath: path + [NameKey(error.key)], debugDescription: error.reason))
        }
        return value
    }

    fileprivate func record(requested key: String, at path: String) {
        if !(requestedKeys[path]?.contains(key) ?? false) { requestedKeys[path, default: []].append(key) }
    }

    fileprivate func record(read key: String, at path: String) { readKeys[path, default: []].insert(key) }

    fileprivate func opened(_ path: String) { if readKeys[path] == nil { readKeys[path] = [] } }

    /// `given` laid over `defaults`: mappings merge key by key; a missing or empty section takes the defaults;
    /// anything else given replaces the default.
    static func merging(defaults: Node, given: Node) -> Node {
        if given.isNullScalar, case .mapping = defaults { return defaults }
        guard case var .mapping(merged) = defaults, case let .mapping(top) = given else { return given }
        for (key, value) in top { merged[key] = merged[key].map { merging(defaults: $0, given: value) } ?? value }
        // The given node's marks (lines) stay on its own values; the mapping itself takes the given mark.
        return .mapping(Node.Mapping(merged.map { ($0.key, $0.value) }, top.tag, top.style, top.mark))
    }
}

/// A key named by ``ConfigurationValueError``.
private struct NameKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// An array position in a coding path.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

extension Node {
    /// Whether the node is YAML's null (`~`, `null` or nothing).
    var isNullScalar: Bool {
        guard case let .scalar(scalar) = self, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A person's description of the node for an error message.
    var errorDescription: String {
        switch self {
        case let .scalar(scalar): scalar.string.isEmpty ? "nothing" : scalar.string
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

/// The `Decoder` over one node.
private struct NodeDecoding: Decoder {
    let node: Node
    let codingPath: [CodingKey]
    let decoder: NodeDecoder
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .mapping(mapping) = node else {
            throw DecodingError.typeMismatch([String: Any].self,
                                             .init(codingPath: codingPath, debugDescription: "expected a mapping, got \(node.errorDescription)"))
        }
        decoder.opened(NodeDecoder.keyPath(codingPath))
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(mapping: mapping, codingPath: codingPath, decoder: decoder))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case let .sequence(sequence) = node else {
            throw DecodingError.typeMismatch([Any].self,
                                             .init(codingPath: codingPath, debugDescription: "expected a list, got \(node.errorDescription)"))
        }
        return UnkeyedNodeContainer(items: Array(sequence), codingPath: codingPath, decoder: decoder)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        ScalarNodeContainer(node: node, codingPath: codingPath, decoder: decoder)
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let mapping: Node.Mapping
    let codingPath: [CodingKey]
    let decoder: NodeDecoder
    private var path: String { NodeDecoder.keyPath(codingPath) }

    init(mapping: Node.Mapping, codingPath: [CodingKey], decoder: NodeDecoder) {
        self.mapping = mapping
        self.codingPath = codingPath
        self.decoder = decoder
    }

    var allKeys: [Key] {
        mapping.keys.compactMap { node in
            guard let name = node.string else { return nil }
            return Key(stringValue: name) ?? Key(stringValue: camelCased(name))
        }
    }

    /// The node of `key` (as written, or in snake_case), recording the key as asked for and, if present, read.
    private func entry(_ key: Key) -> Node? {
        let snake = key.stringValue.snakeCased
        decoder.record(requested: snake, at: path)
        for name in [key.stringValue, snake] {
            if let node = mapping[name] {
                decoder.record(read: name, at: path)
                return node
            }
        }
        return nil
    }

    func contains(_ key: Key) -> Bool { entry(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { entry(key)?.isNullScalar ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let node = entry(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "the key \(key.stringValue.snakeCased) is missing"))
        }
        return try decoder.value(type, at: node, path: codingPath + [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(Box<Bool>.self, forKey: key).value }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(Box<String>.self, forKey: key).value }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(Box<Double>.self, forKey: key).value }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(Box<Float>.self, forKey: key).value }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(Box<Int>.self, forKey: key).value }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(Box<Int8>.self, forKey: key).value }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(Box<Int16>.self, forKey: key).value }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(Box<Int32>.self, forKey: key).value }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(Box<Int64>.self, forKey: key).value }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(Box<UInt>.self, forKey: key).value }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(Box<UInt8>.self, forKey: key).value }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(Box<UInt16>.self, forKey: key).value }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(Box<UInt32>.self, forKey: key).value }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(Box<UInt64>.self, forKey: key).value }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoding(node: entry(key) ?? .mapping([:]), codingPath: codingPath + [key], decoder: decoder).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try NodeDecoding(node: entry(key) ?? .sequence([]), codingPath: codingPath + [key], decoder: decoder).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { NodeDecoding(node: .mapping(mapping), codingPath: codingPath, decoder: decoder) }

    func superDecoder(forKey key: Key) throws -> Decoder {
        NodeDecoding(node: entry(key) ?? Node(""), codingPath: codingPath + [key], decoder: decoder)
    }
}

/// `snake_case` → `snakeCase`, for keyed containers whose keys are written in camelCase.
private func camelCased(_ name: String) -> String {
    let parts = name.split(separator: "_", omittingEmptySubsequences: false)
    guard parts.count > 1 else { return name }
    return String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
}

/// Routes a primitive through ``NodeDecoder/value(_:at:path:)`` so that it reaches the scalar container.
private struct Box<Value: Decodable>: Decodable {
    let value: Value
    init(from decoder: Decoder) throws { value = try decoder.singleValueContainer().decode(Value.self) }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let items: [Node]
    let codingPath: [CodingKey]
    let decoder: NodeDecoder
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [Node], codingPath: [CodingKey], decoder: NodeDecoder) {
        self.items = items
        self.codingPath = codingPath
        self.decoder = decoder
    }

    private mutating func next() throws -> (Node, [CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the list has only \(items.count) items"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNullScalar else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (node, path) = try next()
        return try decoder.value(type, at: node, path: path)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decode(Box<Bool>.self).value }
    mutating func decode(_ type: String.Type) throws -> String { try decode(Box<String>.self).value }
    mutating func decode(_ type: Double.Type) throws -> Double { try decode(Box<Double>.self).value }
    mutating func decode(_ type: Float.Type) throws -> Float { try decode(Box<Float>.self).value }
    mutating func decode(_ type: Int.Type) throws -> Int { try decode(Box<Int>.self).value }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decode(Box<Int8>.self).value }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decode(Box<Int16>.self).value }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decode(Box<Int32>.self).value }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decode(Box<Int64>.self).value }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decode(Box<UInt>.self).value }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decode(Box<UInt8>.self).value }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decode(Box<UInt16>.self).value }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decode(Box<UInt32>.self).value }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decode(Box<UInt64>.self).value }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (node, path) = try next()
        return try NodeDecoding(node: node, codingPath: path, decoder: decoder).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (node, path) = try next()
        return try NodeDecoding(node: node, codingPath: path, decoder: decoder).unkeyedContainer()
    }

    mutating func superDecoder() throws -> Decoder {
        let (node, path) = try next()
        return NodeDecoding(node: node, codingPath: path, decoder: decoder)
    }
}

private struct ScalarNodeContainer: SingleValueDecodingContainer {
    let node: Node
    let codingPath: [CodingKey]
    let decoder: NodeDecoder

    func decodeNil() -> Bool { node.isNullScalar }

    private func scalar<T>(_ type: T.Type, _ what: String, _ parse: (Node.Scalar) -> T?) throws -> T {
        if case let .scalar(scalar) = node, !node.isNullScalar || type == String.self, let value = parse(scalar) { return value }
        throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "must be \(what), got \(node.errorDescription)"))
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try scalar(type, "an integer") { Int.construct(from: $0).flatMap(T.init(exactly:)) }
    }

    func decode(_ type: Bool.Type) throws -> Bool { try scalar(type, "true or false") { Bool.construct(from: $0) } }
    func decode(_ type: String.Type) throws -> String { try scalar(type, "a string") { $0.string } }
    func decode(_ type: Double.Type) throws -> Double {
        try scalar(type, "a number") { s in
            Double.construct(from: s) ?? (s.style == .plain || s.style == .any ? Double(s.string) : nil)
        }
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is Bool.Type: return try decode(Bool.self) as! T
        case is String.Type: return try decode(String.self) as! T
        case is Double.Type: return try decode(Double.self) as! T
        case is Float.Type: return try decode(Float.self) as! T
        case is Int.Type: return try decode(Int.self) as! T
        case is Int64.Type: return try decode(Int64.self) as! T
        case is Int32.Type: return try decode(Int32.self) as! T
        case is UInt64.Type: return try decode(UInt64.self) as! T
        case is UInt8.Type: return try decode(UInt8.self) as! T
        default: return try decoder.value(type, at: node, path: codingPath)
        }
    }
}

/// A pickled list (shared through the memo).
public final class PickleList {
    /// The elements in order.
    public var items: [PickleValue]
    /// A list of `items`.
    public init(_ items: [PickleValue] = []) { self.items = items }
}

/// A pickled dict or `collections.OrderedDict` (shared through the memo), keeping insertion order.
public final class PickleDict {
    /// Entries in insertion order; a repeated key replaces the value in place, as Python's dict does.
    public private(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    private var positions: [String: Int] = [:]

    /// An empty dict.
    public init() {}

    /// Sets `key` to `value`; keys that are not strings or ints are kept but never replace one another.
    public func set(_ key: PickleValue, _ value: PickleValue) {
        if let id = Self.identity(key), let index = positions[id] {
            entries[index].value = value
            return
        }
        if let id = Self.identity(key) { positions[id] = entries.count }
        entries.append((key, value))
    }

    /// The value of the string key `key`.
    public subscript(key: String) -> PickleValue? {
        positions["s:" + key].map { entries[$0].value }
    }

    /// The string keys in order.
    public var stringKeys: [String] { entries.compactMap { $0.key.stringValue } }

    private static func identity(_ key: PickleValue) -> String? {
        switch key {
        case let .string(s): "s:" + s
        case let .int(i): "i:\(i)"
        case let .bool(b): "i:\(b ? 1 : 0)"
        default: nil
        }
    }
}

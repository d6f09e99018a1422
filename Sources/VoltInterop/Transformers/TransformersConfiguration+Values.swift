/// Typed reads of single settings, for a model family's mapping: each returns `nil` for an absent key (or
/// `null`) and throws ``TorchImportError/badConfiguration(path:reason:)`` naming the file and the key when the
/// value has another type.
extension TransformersConfiguration {
    /// The integer `key` (a number without a fraction, such as `512` or `512.0`).
    public func integer(_ key: String) throws(TorchImportError) -> Int? {
        switch values[key] {
        case nil, .null?: return nil
        case let .int(value)?: return value
        case let .double(value)? where value.rounded() == value && abs(value) < 0x1p62: return Int(value)
        case let other?: throw wrongType(key, other, "an integer")
        }
    }

    /// The integer `key`, which must be there.
    ///
    /// - Throws: ``TorchImportError/badConfiguration(path:reason:)`` saying `key … is missing` or of the wrong type.
    public func requiredInteger(_ key: String) throws(TorchImportError) -> Int {
        guard let value = try integer(key) else { throw refusal("key \(keyPrefix + key) is missing") }
        return value
    }

    /// The number `key` (an integer or not).
    public func number(_ key: String) throws(TorchImportError) -> Double? {
        switch values[key] {
        case nil, .null?: return nil
        case let .int(value)?: return Double(value)
        case let .double(value)?: return value
        case let other?: throw wrongType(key, other, "a number")
        }
    }

    /// The string `key`.
    public func string(_ key: String) throws(TorchImportError) -> String? {
        switch values[key] {
        case nil, .null?: return nil
        case let .string(value)?: return value
        case let other?: throw wrongType(key, other, "a string")
        }
    }

    /// The boolean `key`.
    public func boolean(_ key: String) throws(TorchImportError) -> Bool? {
        switch values[key] {
        case nil, .null?: return nil
        case let .bool(value)?: return value
        case let other?: throw wrongType(key, other, "a boolean")
        }
    }

    /// The object `key` (such as `rope_parameters`), whose errors name its keys as `key.inner`.
    public func object(_ key: String) throws(TorchImportError) -> TransformersConfiguration? {
        switch values[key] {
        case nil, .null?: return nil
        case let .object(inner)?:
            var nested = TransformersConfiguration(Dictionary(inner, uniquingKeysWith: { _, last in last }), source: source)
            nested.keyPrefix = keyPrefix + key + "."
            return nested
        case let other?: throw wrongType(key, other, "an object")
        }
    }

    /// The error that refuses this configuration for `reason` (which should name the key), naming the file.
    public func refusal(_ reason: String) -> TorchImportError {
        .badConfiguration(path: source, reason: reason)
    }

    private func wrongType(_ key: String, _ value: JSONValue, _ needed: String) -> TorchImportError {
        refusal("key \(keyPrefix + key) has the wrong type: \(value.kindName) where \(needed) is needed")
    }
}

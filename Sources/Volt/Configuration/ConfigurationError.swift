/// A configuration that cannot be used; each case names where it came from (`config.yaml:12`, or the
/// command-line override) and the dotted key.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be read or is not YAML.
    case unreadable(file: String, reason: String)
    /// A key no section accepts, with the keys that are accepted there.
    case unknownKey(file: String, key: String, allowed: [String])
    /// A key the section used to read, with the dotted key that replaced it (``ConfigurationSection/renamedKeys``).
    case renamedKey(file: String, key: String, newKey: String)
    /// A value of the wrong type or out of range.
    case invalidValue(file: String, key: String, reason: String)

    /// The message, starting with where the problem is.
    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read configuration: \(reason)"
        case let .unknownKey(file, key, allowed): "\(file): unknown key \"\(key)\" (allowed here: \(allowed.joined(separator: ", ")))"
        case let .renamedKey(file, key, newKey): "\(file): unknown key \"\(key)\": it was renamed to \"\(newKey)\""
        case let .invalidValue(file, key, reason): "\(file): invalid value for \"\(key)\": \(reason)"
        }
    }
}

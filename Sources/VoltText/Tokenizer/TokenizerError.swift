/// Why a `tokenizer.json` could not be used.
///
/// Every case names the file and, where one is at fault, the JSON key path (such as
/// `pre_tokenizer.pretokenizers[0].pattern.Regex`), so that a person can find what to change.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read or is not JSON.
    case unreadable(file: String, reason: String)
    /// A key is missing or holds a value of the wrong kind.
    case invalid(file: String, key: String, reason: String)
    /// A component (a model, normalizer, pre-tokenizer, decoder or post-processor type, or an option of one) that
    /// this library does not implement.
    case unsupported(file: String, key: String, value: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the tokenizer: \(reason)"
        case let .invalid(file, key, reason): "\(file): \(key): \(reason)"
        case let .unsupported(file, key, value): "\(file): \(key): \(value) is not supported"
        }
    }
}

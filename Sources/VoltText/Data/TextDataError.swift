/// Why text data could not be read or prepared; each case names the file, and the line and field where one is at fault.
public enum TextDataError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// A line or row is not well-formed JSON Lines or CSV.
    case malformed(file: String, line: Int, reason: String)
    /// A record lacks a field the configuration names.
    case missingField(file: String, line: Int, field: String)
    /// A field holds something other than text (a JSON array or object).
    case notText(file: String, line: Int, field: String)
    /// A prompt template is not well-formed (an unclosed `{`, an empty field name).
    case badTemplate(template: String, reason: String)
    /// A configuration value is unusable (e.g. a token the tokenizer does not have).
    case invalidConfiguration(key: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read: \(reason)"
        case let .malformed(file, line, reason): "\(file):\(line): \(reason)"
        case let .missingField(file, line, field): "\(file):\(line): the record has no field \"\(field)\""
        case let .notText(file, line, field): "\(file):\(line): field \"\(field)\" is not text"
        case let .badTemplate(template, reason): "prompt template \(template.debugDescription): \(reason)"
        case let .invalidConfiguration(key, reason): "\(key): \(reason)"
        }
    }
}

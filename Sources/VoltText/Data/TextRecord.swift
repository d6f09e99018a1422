/// One record of a JSON Lines or CSV file: its fields as text, and where it came from (for error messages).
public struct TextRecord: Sendable, Equatable {
    /// Field name → value.
    public var fields: [String: String]
    /// The file it was read from.
    public var file: String
    /// Its 1-based line number (the first line of a CSV row that spans several).
    public var line: Int

    /// A record.
    public init(fields: [String: String], file: String = "", line: Int = 0) {
        self.fields = fields
        self.file = file
        self.line = line
    }

    /// The value of `field`.
    ///
    /// - Throws: ``TextDataError/missingField(file:line:field:)``.
    public func value(_ field: String) throws -> String {
        guard let value = fields[field] else { throw TextDataError.missingField(file: file, line: line, field: field) }
        return value
    }
}

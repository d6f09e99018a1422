import VoltInterop
import Foundation

/// The layout of a text data file.
public enum TextFileFormat: String, Sendable, Codable {
    /// JSON Lines: one JSON object per line (blank lines skipped).
    case jsonl
    /// Comma-separated values with a header row, quoted as RFC 4180 says.
    case csv

    /// The format a file name's extension implies (`.jsonl`/`.json` → JSON Lines, `.csv` → CSV).
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl", "json", "ndjson": self = .jsonl
        case "csv": self = .csv
        default: return nil
        }
    }
}

/// Reads the records of a JSON Lines or CSV file.
public enum TextRecordReader {
    /// Every record of `path`, in file order; the format comes from the extension unless given.
    ///
    /// - Throws: ``TextDataError`` naming the file and line: unreadable file, malformed JSON or CSV, a JSON value
    ///   that is not an object, a field that is an array or object.
    public static func read(path: String, format: TextFileFormat? = nil) throws -> [TextRecord] {
        guard let format = format ?? TextFileFormat(path: path) else {
            throw TextDataError.unreadable(file: path, reason: "unknown format: name it .jsonl or .csv, or give the format")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TextDataError.unreadable(file: path, reason: error.localizedDescription)
        }
        return try parse(Array(data), format: format, file: path)
    }

    /// The records of `bytes`; `file` names them in errors.
    public static func parse(_ bytes: [UInt8], format: TextFileFormat, file: String) throws -> [TextRecord] {
        switch format {
        case .jsonl: try jsonLines(bytes, file: file)
        case .csv: try CSVParser.records(bytes, file: file)
        }
    }

    private static func jsonLines(_ bytes: [UInt8], file: String) throws -> [TextRecord] {
        var records: [TextRecord] = []
        for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var content = Array(line)
            if content.last == 0x0D { content.removeLast() }
            if index == 0, content.starts(with: [0xEF, 0xBB, 0xBF]) { content.removeFirst(3) }
            guard content.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes: content)
            } catch let failure as JSONValueError {
                throw TextDataError.malformed(file: file, line: index + 1, reason: "invalid JSON at column \(failure.offset + 1): \(failure.reason)")
            }
            guard case let .object(members) = value else {
                throw TextDataError.malformed(file: file, line: index + 1, reason: "expected a JSON object")
            }
            var fields: [String: String] = [:]
            for (key, value) in members {
                switch value {
                case let .string(text): fields[key] = text
                case let .int(number): fields[key] = String(number)
                case let .double(number): fields[key] = String(number)
                case let .bool(flag): fields[key] = String(flag)
                case .null: continue
                case .array, .object: throw TextDataError.notText(file: file, line: index + 1, field: key)
                }
            }
            records.append(TextRecord(fields: fields, file: file, line: index + 1))
        }
        return records
    }
}

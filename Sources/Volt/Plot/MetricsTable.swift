import Foundation

/// The columns of a `metrics.csv` written by ``CSVLogger`` (or by Lightning's): a `step` column and one column per
/// metric, empty where a row has no value.
public struct MetricsTable: Sendable, Equatable {
    /// Column names in file order, `step` included.
    public let columns: [String]
    /// The `step` of each row.
    public let steps: [Int]
    /// Each metric column's values by row (nil where empty).
    public let values: [String: [Double?]]

    /// Reads `path`.
    ///
    /// - Throws: ``PlotError`` when the file cannot be read, has no `step` column, or a row has the wrong number of
    ///   fields or a value that is not a number (naming the line).
    public init(path: String) throws(PlotError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: LogFiles.reason(error))
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .malformed(path: path, line: 1, reason: "not UTF-8 text") }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard let headerLine = lines.first, !headerLine.isEmpty else { throw .malformed(path: path, line: 1, reason: "no header line") }
        let header = try Self.fields(headerLine, path: path, line: 1)
        guard let stepColumn = header.firstIndex(of: "step") else { throw .noStepColumn(path: path, columns: header) }
        var steps: [Int] = []
        var columnValues = [[Double?]](repeating: [], count: header.count)
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let number = offset + 1
            let fields = try Self.fields(line, path: path, line: number)
            guard fields.count == header.count else {
                throw .malformed(path: path, line: number, reason: "\(fields.count) fields, the header has \(header.count)")
            }
            guard let step = Int(fields[stepColumn]) ?? Double(fields[stepColumn]).flatMap({ Int(exactly: $0) }) else {
                throw .malformed(path: path, line: number, reason: "step \"\(fields[stepColumn])\" is not a whole number")
            }
            steps.append(step)
            for (i, field) in fields.enumerated() where i != stepColumn {
                if field.isEmpty { columnValues[i].append(nil); continue }
                guard let value = Self.number(field) else {
                    throw .malformed(path: path, line: number, reason: "\(header[i]) \"\(field)\" is not a number")
                }
                columnValues[i].append(value)
            }
        }
        columns = header
        self.steps = steps
        var values: [String: [Double?]] = [:]
        for (i, name) in header.enumerated() where i != stepColumn { values[name] = columnValues[i] }
        self.values = values
    }

    /// The rows where `column` has a value, as (step, value).
    public func series(_ column: String) -> [(step: Int, value: Double)] {
        guard let column = values[column] else { return [] }
        return zip(steps, column).compactMap { step, value in value.map { (step, $0) } }
    }

    /// Python's float spellings (`nan`, `inf`, `-inf`) and ordinary numbers.
    static func number(_ field: String) -> Double? {
        switch field.lowercased() {
        case "nan": return .nan
        case "inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(field)
        }
    }

    /// The fields of one CSV line (double-quoted fields may hold commas and doubled quotes).
    static func fields(_ line: String, path: String, line number: Int) throws(PlotError) -> [String] {
        var fields: [String] = [], current = "", quoted = false, atFieldStart = true
        var characters = line.makeIterator()
        while let ch = characters.next() {
            if quoted {
                if ch == "\"" {
                    var lookahead = characters
                    if lookahead.next() == "\"" { current.append("\""); characters = lookahead } else { quoted = false }
                } else { current.append(ch) }
            } else if ch == "\"" && atFieldStart {
                quoted = true
                atFieldStart = false
            } else if ch == "," {
                fields.append(current)
                current = ""
                atFieldStart = true
            } else {
                current.append(ch)
                atFieldStart = false
            }
        }
        guard !quoted else { throw .malformed(path: path, line: number, reason: "a quoted field is not closed") }
        fields.append(current)
        return fields
    }
}

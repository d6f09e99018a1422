/// RFC 4180 CSV: fields separated by commas, rows by CRLF or LF; a field in double quotes may hold commas, line
/// breaks and doubled quotes (`""` for `"`). The first row names the fields.
enum CSVParser {
    static func records(_ bytes: [UInt8], file: String) throws -> [TextRecord] {
        let rows = try self.rows(bytes, file: file)
        guard let header = rows.first else { return [] }
        var seen = Set<String>()
        for name in header.fields where !seen.insert(name).inserted {
            throw TextDataError.malformed(file: file, line: header.line, reason: "the header names \"\(name)\" twice")
        }
        return try rows.dropFirst().compactMap { row in
            if row.fields == [""] { return nil }   // a blank line
            guard row.fields.count == header.fields.count else {
                throw TextDataError.malformed(file: file, line: row.line,
                                              reason: "\(row.fields.count) fields where the header has \(header.fields.count)")
            }
            return TextRecord(fields: Dictionary(uniqueKeysWithValues: zip(header.fields, row.fields)), file: file, line: row.line)
        }
    }

    /// The rows of `bytes`, each with the line it starts on.
    static func rows(_ bytes: [UInt8], file: String) throws -> [(fields: [String], line: Int)] {
        var rows: [(fields: [String], line: Int)] = []
        var fields: [String] = [], field: [UInt8] = []
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1, rowLine = 1
        var atFieldStart = true
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            atFieldStart = true
        }
        func endRow() {
            endField()
            rows.append((fields, rowLine))
            fields.removeAll()
        }
        while i < bytes.count {
            let b = bytes[i]
            if atFieldStart && b == 0x22 {   // a quoted field
                let quoteLine = line
                i += 1
                while true {
                    guard i < bytes.count else {
                        throw TextDataError.malformed(file: file, line: quoteLine, reason: "a quoted field is not closed")
                    }
                    if bytes[i] == 0x22 {
                        if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                            field.append(0x22)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if bytes[i] == 0x0A { line += 1 }
                    field.append(bytes[i])
                    i += 1
                }
                guard i == bytes.count || bytes[i] == 0x2C || bytes[i] == 0x0A || bytes[i] == 0x0D else {
                    throw TextDataError.malformed(file: file, line: line, reason: "text after a closing quote")
                }
                atFieldStart = false
                continue
            }
            atFieldStart = false
            switch b {
            case 0x2C:
                endField()
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
                break
            case 0x0A:
                endRow()
                line += 1
                rowLine = line
            case 0x22:
                throw TextDataError.malformed(file: file, line: line, reason: "a quote inside an unquoted field")
            default:
                field.append(b)
            }
            i += 1
        }
        if !fields.isEmpty || !field.isEmpty || !atFieldStart { endRow() }
        return rows
    }
}

import CVoltZlib
import Foundation

/// Reads FASTA files record by record, plain or gzip-compressed (zlib reads both).
///
/// Multi-line records, `>id description` headers, lower case, CRLF line ends and blank lines are accepted; text
/// before the first header, a header without sequence, a character that is not a sequence letter, and a
/// truncated `.gz` are errors naming the file, the record and the line.
public final class FASTAReader: Sequence, IteratorProtocol {
    /// The file being read.
    public let path: String
    private let file: gzFile
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var bufferEnd = 0
    private var bufferStart = 0
    private var exhausted = false
    private var lineNumber = 0
    private var pendingHeader: (text: String, line: Int)?
    /// The error that ended iteration through `next()`, if any.
    public private(set) var error: FASTAError?

    /// Opens `path`.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.isReadableFile(atPath: path), let handle = gzopen(path, "rb") else {
            throw FASTAError.cannotOpen(file: path)
        }
        file = handle
        gzbuffer(file, 1 << 18)
    }

    deinit { gzclose(file) }

    /// Every record of the file.
    public func readAll() throws -> [FASTARecord] {
        var records: [FASTARecord] = []
        while let record = try nextRecord() { records.append(record) }
        return records
    }

    /// The next record; iteration stops at the first error, which ``error`` then holds.
    public func next() -> FASTARecord? {
        do { return try nextRecord() } catch let e as FASTAError { error = e; return nil } catch { return nil }
    }

    /// The next record, or `nil` at the end of the file.
    public func nextRecord() throws -> FASTARecord? {
        if pendingHeader == nil {
            while let line = try readLine() {
                if line.isEmpty { continue }
                guard line.first == UInt8(ascii: ">") else { throw FASTAError.noHeader(file: path, line: lineNumber) }
                pendingHeader = (String(decoding: line.dropFirst(), as: UTF8.self), lineNumber)
                break
            }
        }
        guard let header = pendingHeader else { return nil }
        pendingHeader = nil
        var description = Substring(header.text)  // Biopython: the header with trailing whitespace removed
        while let last = description.last, last == " " || last == "\t" { description.removeLast() }
        let id = description.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        var sequence: [UInt8] = []
        while let line = try readLine() {
            if line.first == UInt8(ascii: ">") {
                pendingHeader = (String(decoding: line.dropFirst(), as: UTF8.self), lineNumber)
                break
            }
            for c in line where c != 32 && c != 9 {
                guard Self.isSequenceCharacter(c) else {
                    throw FASTAError.invalidCharacter(file: path, id: id, line: lineNumber,
                                                      character: String(decoding: [c], as: UTF8.self))
                }
                sequence.append(c)
            }
        }
        guard !sequence.isEmpty else { throw FASTAError.emptyRecord(file: path, id: id, line: header.line) }
        return FASTARecord(id: id, description: String(description), sequence: String(decoding: sequence, as: UTF8.self))
    }

    /// Letters (IUPAC nucleotide and amino-acid codes, case-insensitive), gap `-` and `.`, stop `*`.
    static func isSequenceCharacter(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 42 || c == 46
    }

    /// The next line without its `\n` or `\r\n`, or `nil` at the end.
    private func readLine() throws -> ArraySlice<UInt8>? {
        var line: [UInt8] = []
        while true {
            if bufferStart == bufferEnd {
                if exhausted { break }
                try fill()
                if bufferStart == bufferEnd { break }
            }
            if let newline = buffer[bufferStart..<bufferEnd].firstIndex(of: 10) {
                line += buffer[bufferStart..<newline]
                bufferStart = newline + 1
                lineNumber += 1
                if line.last == 13 { line.removeLast() }
                return line[...]
            }
            line += buffer[bufferStart..<bufferEnd]
            bufferStart = bufferEnd
        }
        guard !line.isEmpty else { return nil }
        lineNumber += 1
        if line.last == 13 { line.removeLast() }
        return line[...]
    }

    private func fill() throws {
        let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
        if n < 0 || (code != Z_OK && code != Z_STREAM_END) {
            throw FASTAError.corruptCompression(file: path, line: lineNumber, detail: message)
        }
        bufferStart = 0
        bufferEnd = Int(n)
        if n == 0 {
            exhausted = true
            // zlib reports a gzip stream cut short only once reading reaches its end.
            if code == Z_BUF_ERROR { throw FASTAError.corruptCompression(file: path, line: lineNumber, detail: message) }
        }
    }
}

import Foundation

/// Reads a FASTA file record by record in bounded memory: plain or gzip-compressed, any size.
///
/// The file is read in chunks (4 MiB by default) and scanned byte by byte over raw buffers: `memchr` finds line
/// ends, a 256-entry table classifies each sequence byte while it is copied, and no `String` is made unless a
/// caller asks a ``FASTARecordView`` for one. Memory is the chunk, the longest record and the longest header.
///
/// Accepted: multi-line records, `>id description` headers, lower case, CRLF line ends, blank lines, spaces and
/// tabs inside sequence lines (removed, as Biopython does). Errors name the file, the record and the line: text
/// before the first header, a header without sequence, a character that is not a sequence letter, a truncated
/// or corrupt gzip stream.
public final class FASTAStream {
    /// The file being read.
    public let path: String
    /// Whether the file is gzip-compressed.
    public var isCompressed: Bool { source.isCompressed }

    private let source: FASTAByteSource
    private let chunk: UnsafeMutablePointer<UInt8>
    private let chunkCapacity: Int
    private var position = 0
    private var end = 0
    private var atEnd = false
    /// The 1-based number of the line that `position` is on.
    private var line = 1
    private var header: [UInt8] = []
    private var headerLine = 0
    private var pending: [UInt8] = []
    private var pendingLine = 0
    private var hasPending = false
    private var sequence: UnsafeMutablePointer<UInt8>
    private var sequenceCapacity = 1 << 16
    private var sequenceCount = 0
    private var closed = false

    /// Bit 0: keep the byte; bit 1: a sequence letter other than ACGT; bit 2: not allowed in a sequence.
    private static let classes: [UInt8] = (0..<256).map { c in
        switch UInt8(c) {
        case UInt8(ascii: "A"), UInt8(ascii: "C"), UInt8(ascii: "G"), UInt8(ascii: "T"),
             UInt8(ascii: "a"), UInt8(ascii: "c"), UInt8(ascii: "g"), UInt8(ascii: "t"): 1
        case 65...90, 97...122, UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "."): 3
        case 32, 9, 13: 0
        default: 4
        }
    }

    /// Opens `path`; `chunkSize` is the read size (tests use tiny ones to cut records at every byte).
    ///
    /// - Throws: ``FASTAError/cannotOpen(file:)``.
    public init(path: String, chunkSize: Int = 4 << 20) throws {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.path = path
        source = try FASTAByteSource.open(path)
        chunkCapacity = chunkSize
        chunk = .allocate(capacity: chunkSize)
        sequence = .allocate(capacity: sequenceCapacity + 1)
    }

    deinit {
        close()
        chunk.deallocate()
        sequence.deallocate()
    }

    /// Releases the file now (the stream then reports no more records).
    public func close() {
        guard !closed else { return }
        closed = true
        atEnd = true
        position = end
        source.close()
    }

    /// The next record, borrowed until the next call, or `nil` at the end of the file.
    ///
    /// - Throws: ``FASTAError`` naming the file, record and line.
    public func next() throws -> FASTARecordView? {
        if !hasPending {
            guard try findFirstHeader() else { return nil }
        }
        swap(&header, &pending)
        headerLine = pendingLine
        hasPending = false
        sequenceCount = 0
        var flags: UInt8 = 0
        while true {
            guard try hasData() else { break }
            if chunk[position] == UInt8(ascii: ">") {
                try readHeader()
                break
            }
            flags |= try readSequenceLine()
        }
        let view = header.withUnsafeBufferPointer { h in
            FASTARecordView(header: h, sequence: UnsafeBufferPointer(start: sequence, count: sequenceCount),
                            line: headerLine, containsNonACGT: flags & 2 != 0)
        }
        guard sequenceCount > 0 else { throw FASTAError.emptyRecord(file: path, id: view.id, line: headerLine) }
        return view
    }

    /// Skips blank lines up to the first header and reads it; `false` for a file with no records.
    private func findFirstHeader() throws -> Bool {
        while try hasData() {
            let c = chunk[position]
            if c == UInt8(ascii: ">") {
                try readHeader()
                return true
            }
            // A blank line is "\n" or "\r\n"; anything else before the first header is an error.
            var count = 0, first: UInt8 = 0
            try consumeLine { bytes in
                if count == 0, let b = bytes.first { first = b }
                count += bytes.count
            }
            let blank = count == 0 || (count == 1 && first == 13)
            guard blank else { throw FASTAError.noHeader(file: path, line: line - 1) }
        }
        return false
    }

    /// Reads the header line at `position` (which holds `>`) into `pending`.
    private func readHeader() throws {
        pending.removeAll(keepingCapacity: true)
        pendingLine = line
        position += 1
        try consumeLine { pending.append(contentsOf: $0) }
        if pending.last == 13 { pending.removeLast() }
        hasPending = true
    }

    /// Hands the rest of the current line to `body` in one or more pieces and moves past its `\n`.
    private func consumeLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        while try hasData() {
            let start = chunk + position
            let available = end - position
            if let newline = memchr(start, 10, available) {
                let length = UnsafeRawPointer(newline) - UnsafeRawPointer(start)
                try body(UnsafeBufferPointer(start: start, count: length))
                position += length + 1
                line += 1
                return
            }
            try body(UnsafeBufferPointer(start: start, count: available))
            position = end
        }
        line += 1  // the last line, without a line end
    }

    /// Appends the sequence letters of the current line; returns the OR of their classes.
    private func readSequenceLine() throws -> UInt8 {
        var flags: UInt8 = 0
        try Self.classes.withUnsafeBufferPointer { table in
            try consumeLine { bytes in
                reserve(bytes.count)
                var out = sequence + sequenceCount
                var seen: UInt8 = 0
                for c in bytes {
                    let k = table[Int(c)]
                    out.pointee = c  // stored unconditionally, kept only if bit 0 is set: no branch per byte
                    out += Int(k & 1)
                    seen |= k
                }
                if seen & 4 != 0, let bad = bytes.first(where: { table[Int($0)] & 4 != 0 }) {
                    throw FASTAError.invalidCharacter(file: path, id: header.withUnsafeBufferPointer(FASTARecordView.id),
                                                      line: line, character: Self.describe(bad))
                }
                sequenceCount = out - sequence
                flags |= seen
            }
        }
        return flags
    }

    /// Makes room for `extra` more sequence bytes (plus the one a store past the end may touch).
    private func reserve(_ extra: Int) {
        guard sequenceCount + extra > sequenceCapacity else { return }
        var capacity = sequenceCapacity * 2
        while capacity < sequenceCount + extra { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 1)
        grown.update(from: sequence, count: sequenceCount)
        sequence.deallocate()
        sequence = grown
        sequenceCapacity = capacity
    }

    /// Whether a byte is available at `position`, reading the next chunk if needed.
    private func hasData() throws -> Bool {
        if position < end { return true }
        return try refill()
    }

    /// Reads the next chunk; `false` at the end of the file.
    private func refill() throws -> Bool {
        guard !atEnd else { return false }
        position = 0
        end = try source.read(into: chunk, capacity: chunkCapacity, path: path, line: line - 1)
        if end == 0 { atEnd = true }
        return end > 0
    }

    /// A byte as text for an error: itself when printable ASCII, else `0xNN`.
    static func describe(_ byte: UInt8) -> String {
        (33...126).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
    }
}

extension String {
    /// The string with zeros in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}

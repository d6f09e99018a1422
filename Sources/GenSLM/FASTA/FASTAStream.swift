import Foundation

/// Reads a FASTA file record by record in bounded memory: plain or gzip-compressed, any size.
///
/// The file is read in chunks (256 KiB by default; gzip is inflated on a background thread) and scanned over raw
/// buffers: `memchr` finds the next `\n>`, one branch-free pass (which the compiler vectorizes) checks the
/// sequence stretch before it, and the stretch is copied without its line ends; only records with spaces,
/// carriage returns or bad bytes go line by line through a 256-entry class table. No `String` is made unless a
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
    private var sequenceLength = 0
    /// Whether records carry their sequence; `false` makes a counting pass (``FASTARecordView/sequence`` is
    /// empty, ``FASTARecordView/length`` still exact), as `volt data stats` needs.
    public var keepsSequences = true
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

    /// The read size: small enough that each chunk stays in the CPU's L2 cache between the kernel's copy and
    /// the scan (4 MiB reads cost ~40 % more system time on the 2 GB measurement file).
    public static let defaultChunkSize = 256 << 10

    /// Opens `path`; `chunkSize` is the read size (tests use tiny ones to cut records at every byte).
    ///
    /// - Throws: ``FASTAError/cannotOpen(file:)``.
    public init(path: String, chunkSize: Int = FASTAStream.defaultChunkSize) throws {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.path = path
        source = try FASTAByteSource.open(path)
        chunkCapacity = chunkSize
        // Page-aligned: the kernel's copy into a misaligned buffer costs several times more system time.
        chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 4096).bindMemory(to: UInt8.self, capacity: chunkSize)
        sequence = .allocate(capacity: sequenceCapacity + 1)
    }

    deinit {
        close()
        UnsafeMutableRawPointer(chunk).deallocate()
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
        sequenceLength = 0
        let flags = try readBody()
        let view = header.withUnsafeBufferPointer { h in
            FASTARecordView(header: h, sequence: UnsafeBufferPointer(start: sequence, count: sequenceCount),
                            length: sequenceLength, line: headerLine, containsNonACGT: flags & 2 != 0)
        }
        guard sequenceLength > 0 else { throw FASTAError.emptyRecord(file: path, id: view.id, line: headerLine) }
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

    /// Reads the sequence lines of the current record up to the next header (read into `pending`) or the end
    /// of the file; returns the OR of the letters' classes.
    ///
    /// Fast path: the stretch of the chunk up to the next `\n>` is checked in one vectorizable pass (letters and
    /// line ends only, counting line ends), then compacted without its line ends (or only counted, when
    /// sequences are not kept). A stretch with anything else (spaces, `\r`, gaps, bad bytes) is read line by
    /// line through the table path, which also finds and reports errors with their line.
    private func readBody() throws -> UInt8 {
        var flags: UInt8 = 0
        var atLineStart = true
        while try hasData() {
            let start = chunk + position
            if atLineStart && start[0] == UInt8(ascii: ">") {
                try readHeader()
                return flags
            }
            let available = end - position
            var stretch = available
            var search = 0
            while search < available, let found = memchr(start + search, Int32(UInt8(ascii: ">")), available - search) {
                let k = UnsafeRawPointer(found) - UnsafeRawPointer(start)
                if k > 0 && start[k - 1] == 10 {
                    stretch = k
                    break
                }
                search = k + 1
            }
            let (bad, notACGT, newlines) = Self.check(start, stretch)
            guard bad == 0 else {
                // The rest of this record line by line, through the table path.
                flags |= try readSequenceLine()
                while try hasData(), chunk[position] != UInt8(ascii: ">") { flags |= try readSequenceLine() }
                atLineStart = true
                continue
            }
            let letters = stretch - newlines
            if keepsSequences {
                reserve(letters)
                var out = sequence + sequenceCount
                for i in 0..<stretch {
                    let c = start[i]
                    out.pointee = c
                    out += Int(unsafeBitCast(c != 10, to: UInt8.self))
                }
                sequenceCount += letters
            }
            sequenceLength += letters
            if letters > 0 { flags |= 1 | (notACGT << 1) }
            line += newlines
            position += stretch
            atLineStart = start[stretch - 1] == 10
        }
        if !atLineStart { line += 1 }  // the last line, without a line end
        return flags
    }

    /// One pass over `count` bytes without branches or table lookups (so the compiler vectorizes it): whether
    /// any is neither a letter, `-`, `*`, `.` nor `\n`; whether any of those is not A/C/G/T; and how many `\n`.
    @inline(__always)
    private static func check(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> (bad: UInt8, notACGT: UInt8, newlines: Int) {
        @inline(__always) func bit(_ b: Bool) -> UInt8 { unsafeBitCast(b, to: UInt8.self) }
        var bad: UInt8 = 0, notACGT: UInt8 = 0, newlines = 0
        var block = 0
        while block < count {
            let blockEnd = Swift.min(block + 128, count)
            var lines: UInt8 = 0
            for i in block..<blockEnd {
                let c = bytes[i]
                let x = c | 0x20
                let newline = bit(c == 10)
                let allowed = bit(x &- 97 < 26) | newline | bit(c == 45) | bit(c == 42) | bit(c == 46)
                let acgt = bit(x == 97) | bit(x == 99) | bit(x == 103) | bit(x == 116) | newline
                bad |= allowed ^ 1
                notACGT |= acgt ^ 1
                lines &+= newline
            }
            newlines += Int(lines)
            block = blockEnd
        }
        return (bad, notACGT, newlines)
    }

    /// Appends the sequence letters of the current line (which may span chunks) and moves past its `\n`;
    /// returns the OR of the letters' classes.
    private func readSequenceLine() throws -> UInt8 {
        var flags: UInt8 = 0
        while try hasData() {
            let start = chunk + position
            let available = end - position
            let newline = memchr(start, 10, available)
            let length = newline.map { UnsafeRawPointer($0) - UnsafeRawPointer(start) } ?? available
            flags |= try appendSequence(start, length)
            if newline != nil {
                position += length + 1
                line += 1
                return flags
            }
            position = end
        }
        line += 1  // the last line, without a line end
        return flags
    }

    /// Appends the letters of `count` sequence bytes at `bytes`; returns the OR of their classes.
    ///
    /// The common piece (letters only) is copied whole and checked by a loop without table lookups or early
    /// exits, which the compiler vectorizes; anything else (spaces, `\r`, gaps, errors) takes the table path.
    @inline(__always)
    private func appendSequence(_ bytes: UnsafePointer<UInt8>, _ count: Int) throws -> UInt8 {
        reserve(count)
        var notLetter: UInt8 = 0, notACGT: UInt8 = 0
        for i in 0..<count {
            let x: UInt8 = bytes[i] | 0x20
            let letter: UInt8 = (x &- 97) < 26 ? 1 : 0
            let a: UInt8 = x == 97 ? 1 : 0, c: UInt8 = x == 99 ? 1 : 0, g: UInt8 = x == 103 ? 1 : 0, t: UInt8 = x == 116 ? 1 : 0
            notLetter |= letter ^ 1
            notACGT |= (a | c | g | t) ^ 1
        }
        if notLetter == 0 {
            (sequence + sequenceCount).update(from: bytes, count: count)
            sequenceCount += count
            sequenceLength += count
            if !keepsSequences { sequenceCount = 0 }
            return count > 0 ? 1 | (notACGT << 1) : 0
        }
        let before = sequenceCount
        let seen = try appendClassified(bytes, count)
        sequenceLength += sequenceCount - before
        if !keepsSequences { sequenceCount = 0 }
        return seen
    }

    /// The table path of ``appendSequence(_:_:)``: keeps letters, `-`, `*`, `.`, drops spaces, tabs and `\r`,
    /// and throws at the first other byte.
    private func appendClassified(_ bytes: UnsafePointer<UInt8>, _ count: Int) throws -> UInt8 {
        try Self.classes.withUnsafeBufferPointer { table in
            var out = sequence + sequenceCount
            var seen: UInt8 = 0
            for i in 0..<count {
                let c = bytes[i]
                let k = table[Int(c)]
                out.pointee = c  // stored unconditionally, kept only if bit 0 is set: no branch per byte
                out += Int(k & 1)
                seen |= k
            }
            if seen & 4 != 0, let bad = UnsafeBufferPointer(start: bytes, count: count).first(where: { table[Int($0)] & 4 != 0 }) {
                throw FASTAError.invalidCharacter(file: path, id: header.withUnsafeBufferPointer(FASTARecordView.id),
                                                  line: line, character: Self.describe(bad))
            }
            sequenceCount = out - sequence
            return seen
        }
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

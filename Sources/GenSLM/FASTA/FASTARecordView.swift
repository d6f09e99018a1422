/// One record of a ``FASTAStream``, borrowed from the stream's buffers: valid until the stream's next call.
///
/// Nothing is decoded into `String`s unless asked for, so scanning a file costs no per-record allocation.
public struct FASTARecordView {
    /// The header line after `>`, without its line end (`\r\n` or `\n`).
    public let header: UnsafeBufferPointer<UInt8>
    /// The sequence lines joined, with spaces, tabs and carriage returns removed, case kept (empty when the
    /// stream does not keep sequences).
    public let sequence: UnsafeBufferPointer<UInt8>
    /// The number of sequence letters.
    public let length: Int
    /// The line number of the header (1-based).
    public let line: Int
    /// Whether the sequence holds a letter other than A, C, G, T (either case), `-`, `*` or `.`.
    public let containsNonACGT: Bool

    /// The header with trailing spaces and tabs removed (`Bio.SeqRecord.description`).
    public var description: String {
        var end = header.count
        while end > 0, header[end - 1] == 32 || header[end - 1] == 9 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: header[0..<end]), as: UTF8.self)
    }

    /// The first word of the header (`Bio.SeqRecord.id`).
    public var id: String { Self.id(of: header) }

    /// The first space- or tab-separated word of `header`.
    static func id(of header: UnsafeBufferPointer<UInt8>) -> String {
        var start = 0
        while start < header.count, header[start] == 32 || header[start] == 9 { start += 1 }
        var end = start
        while end < header.count, header[end] != 32 && header[end] != 9 { end += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: header[start..<end]), as: UTF8.self)
    }

    /// The record as values.
    public var record: FASTARecord {
        FASTARecord(id: id, description: description, sequence: String(decoding: sequence, as: UTF8.self))
    }
}

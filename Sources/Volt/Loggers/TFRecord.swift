/// TFRecord framing, the container of TensorBoard event files: for each record, its length (uint64,
/// little-endian), the masked CRC-32C of those 8 length bytes (uint32), the data, and the data's masked CRC-32C.
public enum TFRecord {
    /// `data` framed as one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        appendLittleEndian(UInt64(data.count), to: &out)
        appendLittleEndian(CRC32C.masked(out[0..<8]), to: &out)
        out.append(contentsOf: data)
        appendLittleEndian(CRC32C.masked(data), to: &out)
        return out
    }

    /// The records of a file's bytes, checksums verified.
    ///
    /// - Throws: ``LoggerError/corruptRecord(path:offset:reason:)`` naming `path` and the record's offset when the
    ///   bytes end inside a record or a checksum does not match.
    public static func records(in bytes: [UInt8], path: String) throws(LoggerError) -> [[UInt8]] {
        var records: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                throw .corruptRecord(path: path, offset: offset, reason: "truncated header")
            }
            let length = readLittleEndian(UInt64.self, bytes, at: offset)
            guard readLittleEndian(UInt32.self, bytes, at: offset + 8) == CRC32C.masked(bytes[offset..<(offset + 8)]) else {
                throw .corruptRecord(path: path, offset: offset, reason: "length checksum mismatch")
            }
            guard length <= UInt64(bytes.count - offset - 16) else {
                throw .corruptRecord(path: path, offset: offset, reason: "record of \(length) bytes is truncated")
            }
            let start = offset + 12, end = start + Int(length)
            guard readLittleEndian(UInt32.self, bytes, at: end) == CRC32C.masked(bytes[start..<end]) else {
                throw .corruptRecord(path: path, offset: offset, reason: "data checksum mismatch")
            }
            records.append(Array(bytes[start..<end]))
            offset = end + 4
        }
        return records
    }

    /// The records of the file at `path` (see ``records(in:path:)``).
    public static func records(atPath path: String) throws(LoggerError) -> [[UInt8]] {
        try records(in: LogFiles.read(path), path: path)
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func readLittleEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for i in (0..<MemoryLayout<T>.size).reversed() { value = value << 8 | T(bytes[offset + i]) }
        return value
    }
}

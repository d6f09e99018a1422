import Foundation

/// Writes TensorBoard event files: TFRecord-framed `Event` protobufs.
///
/// The three messages involved (`Event`, `Summary`, `Summary.Value`) are encoded by hand in protobuf's wire
/// format — a few varints and length-delimited fields — rather than through swift-protobuf, whose code generator
/// would add minutes to every clean build for three messages.
final class TFEventWriter {
    let path: String
    private let handle: FileHandle

    /// Creates `events.out.tfevents.<seconds>.<host>.<pid>.0` in `directory` and writes the version event.
    init(directory: String, wallTime: Double = Date().timeIntervalSince1970) throws {
        let host = ProcessInfo.processInfo.hostName
        path = directory + "/events.out.tfevents.\(Int(wallTime)).\(host).\(ProcessInfo.processInfo.processIdentifier).0"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw LoggerError.cannotWrite(path: path, reason: "cannot create event file")
        }
        self.handle = handle
        try write(Self.event(wallTime: wallTime, step: 0, body: Self.string(field: 3, "brain.Event:2")))
    }

    deinit { try? handle.close() }

    /// Appends a scalar summary.
    func addScalar(_ tag: String, value: Float, step: Int, wallTime: Double = Date().timeIntervalSince1970) throws {
        try write(Self.scalarEvent(tag, value: value, step: step, wallTime: wallTime))
    }

    /// Flushes to disk.
    func flush() throws { try handle.synchronize() }

    private func write(_ record: [UInt8]) throws {
        do { try handle.write(contentsOf: Data(Self.frame(record))) } catch {
            throw LoggerError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    // MARK: Encoding

    /// An `Event` with a scalar `Summary`.
    static func scalarEvent(_ tag: String, value: Float, step: Int, wallTime: Double) -> [UInt8] {
        let summaryValue = string(field: 1, tag) + [0x15] + littleEndian(value.bitPattern)  // field 2, fixed32
        let summary = lengthDelimited(field: 1, summaryValue)
        return event(wallTime: wallTime, step: step, body: lengthDelimited(field: 5, summary))
    }

    /// `Event{wall_time = 1 (double), step = 2 (int64), …body}`.
    static func event(wallTime: Double, step: Int, body: [UInt8]) -> [UInt8] {
        [0x09] + littleEndian(wallTime.bitPattern) + [0x10] + varint(UInt64(bitPattern: Int64(step))) + body
    }

    /// TFRecord framing: length, masked CRC of the length, data, masked CRC of the data.
    static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = littleEndian(UInt64(data.count))
        return length + littleEndian(CRC32C.masked(length)) + data + littleEndian(CRC32C.masked(data))
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            var byte = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { byte |= 0x80 }
            out.append(byte)
        } while v != 0
        return out
    }

    static func lengthDelimited(field: Int, _ bytes: [UInt8]) -> [UInt8] {
        varint(UInt64(field << 3 | 2)) + varint(UInt64(bytes.count)) + bytes
    }

    static func string(field: Int, _ s: String) -> [UInt8] { lengthDelimited(field: field, Array(s.utf8)) }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

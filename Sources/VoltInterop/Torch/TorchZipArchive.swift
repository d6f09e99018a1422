import CVoltZlib
import Foundation
import ZIPFoundation

/// The zip container `torch.save` writes (PyTorch ≥ 1.6): `<prefix>/data.pkl` (the pickle), `<prefix>/byteorder`,
/// and one record `<prefix>/data/<key>` per storage, stored uncompressed.
///
/// Read through ZIPFoundation, which parses the central directory (ZIP64 included) and streams an entry in
/// chunks: a storage is copied chunk by chunk from the file into the buffer that becomes the tensor, so the
/// peak memory of an import is about the size of the weights, never twice it. Each record's CRC-32 is checked
/// with zlib's (vectorised) `crc32`, so a damaged or truncated record is an error, not silently wrong weights.
public final class TorchZipArchive {
    /// The file.
    public let path: String
    /// The folder all records live in (`archive`, or the saved file's stem for older PyTorch).
    public let prefix: String
    private let archive: Archive

    /// Opens `path`.
    ///
    /// - Throws: ``TorchImportError/corruptArchive(path:record:reason:)`` for a truncated or malformed zip, or
    ///   one without a `data.pkl`.
    public init(path: String) throws(TorchImportError) {
        self.path = path
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw .corruptArchive(path: path, record: "central directory",
                                  reason: "\(error) (the file is truncated or not a complete zip archive)")
        }
        let pickles = archive.map(\.path).filter { $0.hasSuffix("data.pkl") && $0.split(separator: "/").count == 2 }
        guard let pickle = pickles.first else {
            throw .corruptArchive(path: path, record: "data.pkl", reason: "no <folder>/data.pkl record: not written by torch.save")
        }
        prefix = String(pickle.dropLast("/data.pkl".count))
    }

    /// The byte order of the storages (`little` unless the file says otherwise).
    public func byteOrder() throws(TorchImportError) -> String {
        guard archive[prefix + "/byteorder"] != nil else { return "little" }
        return String(decoding: try bytes(of: "byteorder"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The whole record `name` (relative to the prefix), for small records such as `data.pkl`.
    public func bytes(of name: String) throws(TorchImportError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: try size(of: name), alignment: 16)
        defer { buffer.deallocate() }
        try read(name, into: buffer)
        return [UInt8](buffer)
    }

    /// The uncompressed size of record `name`.
    public func size(of name: String) throws(TorchImportError) -> Int {
        guard let entry = archive[prefix + "/" + name] else {
            throw .corruptArchive(path: path, record: prefix + "/" + name, reason: "record is missing")
        }
        guard entry.uncompressedSize <= UInt64(Int.max) else {
            throw .corruptArchive(path: path, record: entry.path, reason: "size \(entry.uncompressedSize) is too large")
        }
        return Int(entry.uncompressedSize)
    }

    /// Streams record `name` into `buffer`, which must be exactly the record's size, and checks its CRC-32.
    public func read(_ name: String, into buffer: UnsafeMutableRawBufferPointer) throws(TorchImportError) {
        let record = prefix + "/" + name
        guard let entry = archive[record] else { throw .corruptArchive(path: path, record: record, reason: "record is missing") }
        guard entry.uncompressedSize == UInt64(buffer.count) else {
            throw .corruptArchive(path: path, record: record,
                                  reason: "holds \(entry.uncompressedSize) bytes where \(buffer.count) are needed")
        }
        var written = 0
        var checksum: uLong = crc32(0, nil, 0)
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 22, skipCRC32: true) { chunk in
                guard written + chunk.count <= buffer.count else { throw ArchiveReadOverflow() }
                chunk.withUnsafeBytes { source in
                    guard let base = source.baseAddress, let target = buffer.baseAddress else { return }
                    (target + written).copyMemory(from: base, byteCount: source.count)
                    checksum = crc32(checksum, base.assumingMemoryBound(to: Bytef.self), uInt(source.count))
                }
                written += chunk.count
            }
        } catch {
            throw .corruptArchive(path: path, record: record, reason: "cannot read: \(error)")
        }
        guard written == buffer.count else {
            throw .corruptArchive(path: path, record: record, reason: "ends after \(written) of \(buffer.count) bytes (truncated file)")
        }
        guard UInt32(truncatingIfNeeded: checksum) == entry.checksum else {
            throw .corruptArchive(path: path, record: record, reason: "CRC-32 mismatch (the data is damaged)")
        }
    }
}

/// A record yielded more bytes than its directory entry declared.
private struct ArchiveReadOverflow: Error, CustomStringConvertible {
    var description: String { "more data than the entry's declared size" }
}

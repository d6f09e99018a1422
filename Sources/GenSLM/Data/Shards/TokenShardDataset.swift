import Foundation
import Volt
import VoltData
import VoltHDF5

/// The records of a token shard folder (``TokenShardWriter``), read on demand: when the loader asks for a record,
/// its offset, its length and then its tokens are read with `pread`, so the kernel's page cache is the only cache
/// and the process's memory does not grow with the records it has read (memory-mapping the shards would count
/// every page touched, and its read-ahead, as resident: the offsets and lengths alone are 12 bytes per record).
/// Nothing is loaded up front but the index, so start-up time does not grow with the number of records, and a
/// data-parallel rank only ever reads the records its sampler gives it.
///
/// Elements are the same ``TokenizedSequence`` values a ``SequenceDataset`` of the same FASTA gives, so
/// loaders, collation and ``TokenBatch`` work unchanged. The shard files must not be changed while open.
public struct TokenShardDataset: LengthAwareDataset, Sendable {
    /// The folder.
    public let folder: String
    /// Its index.
    public let index: TokenShardIndex
    /// Tokens per element (truncation when reading); `nil` keeps what was stored.
    public let maxLength: Int?
    /// Number of records.
    public let count: Int
    private let shards: [ShardFile]
    private let firstRecords: [Int]

    /// The `format` attribute of every shard file.
    public static let shardFormat = "volt-token-shard"

    /// Opens the shard set in `folder`.
    ///
    /// - Throws: ``TokenShardError`` naming the index or shard that is missing or does not match.
    public init(folder: String, maxLength: Int? = nil) throws {
        let indexPath = folder + "/" + TokenShardIndex.fileName
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: indexPath)) } catch {
            throw TokenShardError.badIndex(file: indexPath, reason: "cannot read it (\(error.localizedDescription))")
        }
        let index: TokenShardIndex
        do { index = try JSONDecoder().decode(TokenShardIndex.self, from: data) } catch {
            throw TokenShardError.badIndex(file: indexPath, reason: "\(error)")
        }
        guard index.format == TokenShardIndex.formatName, index.version == 1 else {
            throw TokenShardError.badIndex(file: indexPath, reason: "format \(index.format) version \(index.version), expected \(TokenShardIndex.formatName) 1")
        }
        self.folder = folder
        self.index = index
        self.maxLength = maxLength
        shards = try index.shards.map { try ShardFile(path: folder + "/" + $0.file, expected: $0) }
        var first: [Int] = [], total = 0
        for shard in index.shards {
            first.append(total)
            total += shard.records
        }
        firstRecords = first
        count = total
    }

    public func element(at index: Int) throws -> TokenizedSequence {
        let tokens = try storedTokens(at: index)
        let n = Swift.min(tokens.count, maxLength ?? .max)
        return TokenizedSequence(ids: tokens.prefix(n).map { Int32($0) })
    }

    /// The stored token count of record `index` (capped at ``maxLength``), read from the `lengths` array only
    /// (0 if it cannot be read; reading the record then reports the error).
    public func length(at index: Int) -> Int {
        let (shard, record) = locate(index)
        return Swift.min(Swift.max(0, (try? shards[shard].storedLength(of: record)) ?? 0), maxLength ?? .max)
    }

    /// Every record's length at once: each shard's `lengths` array read in 256 KiB reads into a table of 2 bytes
    /// per record (4 when ``maxLength`` is absent or over 65,535) that lives as long as the returned function; a
    /// bucketed epoch asks for every length, and reading them one `pread` each would take a second per million.
    /// If a read fails, the function falls back to ``length(at:)``.
    public func lengthLookup() -> @Sendable (Int) -> Int {
        do {
            if let maxLength, maxLength <= Int(UInt16.max) {
                let table = try lengthTable(UInt16.self)
                return { Int(table[$0]) }
            }
            let table = try lengthTable(UInt32.self)
            return { Int(table[$0]) }
        } catch {
            return { self.length(at: $0) }
        }
    }

    /// Every record's stored length capped at ``maxLength`` (and at `T.max`), in record order.
    func lengthTable<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws -> [T] {
        let cap = Swift.min(maxLength ?? .max, Int(T.max))
        var table: [T] = []
        table.reserveCapacity(count)
        let chunk = 65_536
        var buffer = [Int32](repeating: 0, count: chunk)
        for shard in shards {
            var first = 0
            while first < shard.records {
                let n = Swift.min(chunk, shard.records - first)
                try buffer.withUnsafeMutableBytes { try shard.readLengths(from: first, count: n, into: $0.baseAddress!) }
                for i in 0..<n { table.append(T(Swift.min(Swift.max(0, Int(Int32(littleEndian: buffer[i]))), cap))) }
                first += n
            }
        }
        return table
    }

    /// The stored tokens of record `index` (not truncated).
    public func storedTokens(at index: Int) throws -> [UInt8] {
        let (shard, record) = locate(index)
        return try shards[shard].tokens(of: record)
    }

    /// The FASTA ids of shard `number`'s records.
    public func ids(ofShard number: Int) throws -> [String] { try shards[number].strings("ids") }

    /// The MD5s (hex of the upper-case sequence) of shard `number`'s records.
    public func md5s(ofShard number: Int) throws -> [String] { try shards[number].strings("md5") }

    private func locate(_ index: Int) -> (shard: Int, record: Int) {
        precondition(index >= 0 && index < count, "record \(index) outside 0..<\(count)")
        var lo = 0, hi = firstRecords.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if firstRecords[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return (lo, index - firstRecords[lo])
    }
}

/// One open shard file and where its arrays lie in it.
final class ShardFile: Sendable {
    let path: String
    let records: Int
    private let descriptor: Int32
    private let tokens: (offset: Int, count: Int)
    private let offsets: Int
    private let lengths: Int

    init(path: String, expected: TokenShardIndex.Shard) throws {
        self.path = path
        let extents: (tokens: (offset: Int, count: Int), offsets: (offset: Int, count: Int), lengths: (offset: Int, count: Int))
        do {
            extents = try hdf5Lock.withLock {
                let h5 = try HDF5File(opening: path)
                let root = try h5.root()
                guard try root.attribute("format")?.stringValue == TokenShardDataset.shardFormat else {
                    throw TokenShardError.badShard(file: path, reason: "no format=\"\(TokenShardDataset.shardFormat)\" attribute")
                }
                let result = (try root.dataset("tokens").contiguousExtent(of: .uint8),
                              try root.dataset("offsets").contiguousExtent(of: .int64),
                              try root.dataset("lengths").contiguousExtent(of: .int32))
                try h5.close()
                return result
            }
        } catch let error as TokenShardError {
            throw error
        } catch {
            throw TokenShardError.badShard(file: path, reason: "\(error)")
        }
        guard extents.offsets.count == expected.records, extents.lengths.count == expected.records,
              extents.tokens.count == expected.tokens else {
            throw TokenShardError.badShard(file: path, reason: "holds \(extents.offsets.count) offsets, \(extents.lengths.count) lengths and "
                                           + "\(extents.tokens.count) tokens; the index says \(expected.records) records and \(expected.tokens) tokens")
        }
        records = expected.records
        tokens = extents.tokens
        offsets = extents.offsets.offset
        lengths = extents.lengths.offset
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw TokenShardError.badShard(file: path, reason: "cannot open: " + String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    /// The `lengths` entry of `record`.
    func storedLength(of record: Int) throws -> Int {
        var value: Int32 = 0
        try withUnsafeMutableBytes(of: &value) { try read(into: $0.baseAddress!, count: 4, at: lengths + 4 * record, record: record) }
        return Int(Int32(littleEndian: value))
    }

    /// The `lengths` entries of records `first ..< first + count`, as stored (little-endian Int32), into `destination`.
    func readLengths(from first: Int, count: Int, into destination: UnsafeMutableRawPointer) throws {
        try read(into: destination, count: 4 * count, at: lengths + 4 * first, record: first)
    }

    func tokens(of record: Int) throws -> [UInt8] {
        var value: Int64 = 0
        try withUnsafeMutableBytes(of: &value) { try read(into: $0.baseAddress!, count: 8, at: offsets + 8 * record, record: record) }
        let start = Int(Int64(littleEndian: value))
        let length = try storedLength(of: record)
        guard start >= 0, length >= 0, start <= tokens.count - length else {
            throw TokenShardError.badRecord(file: path, record: record,
                                            reason: "tokens \(start)..<\(start + length) lie outside the shard's \(tokens.count) tokens")
        }
        return try [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            if length > 0 { try read(into: buffer.baseAddress!, count: length, at: tokens.offset + start, record: record) }
            initialized = length
        }
    }

    /// Reads `count` bytes at byte `position` of the file, however many `pread` calls that takes.
    private func read(into destination: UnsafeMutableRawPointer, count: Int, at position: Int, record: Int) throws {
        var done = 0
        while done < count {
            let n = pread(descriptor, destination + done, count - done, off_t(position + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw TokenShardError.badRecord(file: path, record: record,
                                                reason: n < 0 ? "read failed: " + String(cString: strerror(errno)) : "the file ends early")
            }
            done += n
        }
    }

    func strings(_ name: String) throws -> [String] {
        do {
            return try hdf5Lock.withLock { try HDF5File(opening: path).root().dataset(name).readStrings() }
        } catch {
            throw TokenShardError.badShard(file: path, reason: "\(error)")
        }
    }
}

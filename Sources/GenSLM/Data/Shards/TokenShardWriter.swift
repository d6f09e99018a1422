import VoltInterop
import Foundation
import Volt
import VoltHDF5

/// `volt data tokenize`: streams FASTA files into HDF5 token shards and an `index.json`.
///
/// Each shard `shard-NNNNN.h5` holds up to `shardSize` records:
/// - `tokens` uint8 [T]: every record's codon token ids, concatenated (contiguous, so readers can map it);
/// - `offsets` int64 [N]: where each record starts in `tokens`; `lengths` int32 [N]: its token count;
/// - `ids` variable-length UTF-8 strings [N]: the FASTA ids;
/// - `md5` 32-byte ASCII strings [N]: the hex MD5 of the upper-case sequence (before truncation).
///
/// Memory is one shard's worth of tokens plus the reader's chunk. Every file is written to `name.tmp`,
/// fsynced and renamed, the index last: a folder with an index is always complete.
public struct TokenShardWriter {
    /// Records per shard.
    public var shardSize: Int
    /// Tokens kept per record (`nil`: all).
    public var maxLength: Int?
    private let tokenizer = CodonTokenizer()

    /// A writer of shards of `shardSize` records, keeping at most `maxLength` tokens per record.
    public init(shardSize: Int = 100_000, maxLength: Int? = nil) {
        precondition(shardSize > 0, "shardSize must be positive")
        self.shardSize = shardSize
        self.maxLength = maxLength
    }

    /// The file name of shard `number`.
    public static func shardName(_ number: Int) -> String {
        let digits = String(number)
        return "shard-" + String(repeating: "0", count: Swift.max(0, 5 - digits.count)) + digits + ".h5"
    }

    /// Tokenizes `files` (FASTA, plain or gzip) in order into `folder`, which is created if needed.
    ///
    /// - Throws: ``TokenShardError/exists(folder:)`` when `folder` already has an index, ``FASTAError`` for bad
    ///   input (nothing is indexed then), ``TokenShardError/cannotWrite(file:reason:)``.
    @discardableResult
    public func tokenize(_ files: [String], into folder: String) throws -> TokenShardIndex {
        let indexPath = folder + "/" + TokenShardIndex.fileName
        guard !FileManager.default.fileExists(atPath: indexPath) else { throw TokenShardError.exists(folder: folder) }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw TokenShardError.cannotWrite(file: folder, reason: error.localizedDescription)
        }
        var shard = PendingShard()
        var shards: [TokenShardIndex.Shard] = []
        var upper: [UInt8] = []
        for file in files {
            let stream = try FASTAStream(path: file)
            while let record = try stream.next() {
                let start = shard.tokens.count
                let n = tokenizer.encode(ascii: record.sequence, into: &shard.tokens, limit: maxLength ?? .max)
                shard.offsets.append(Int64(start))
                shard.lengths.append(Int32(n))
                shard.ids.append(record.id)
                upper.removeAll(keepingCapacity: true)
                upper.append(contentsOf: record.sequence.lazy.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
                shard.md5s.append(upper.withUnsafeBufferPointer(MD5.hex))
                if shard.ids.count == shardSize {
                    shards.append(try write(shard, number: shards.count, folder: folder))
                    shard = PendingShard()
                }
            }
        }
        if !shard.ids.isEmpty { shards.append(try write(shard, number: shards.count, folder: folder)) }
        let index = TokenShardIndex(maxLength: maxLength, sources: files, shards: shards)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(index) } catch { throw TokenShardError.cannotWrite(file: indexPath, reason: "\(error)") }
        try Self.durablyWrite(indexPath) { tmp in try data.write(to: URL(fileURLWithPath: tmp)) }
        return index
    }

    /// One shard's records before they are written.
    struct PendingShard {
        var tokens: [UInt8] = []
        var offsets: [Int64] = []
        var lengths: [Int32] = []
        var ids: [String] = []
        var md5s: [String] = []
    }

    private func write(_ shard: PendingShard, number: Int, folder: String) throws -> TokenShardIndex.Shard {
        let path = folder + "/" + Self.shardName(number)
        try Self.durablyWrite(path) { tmp in
            try hdf5Lock.withLock {
                let file = try HDF5File(creating: tmp)
                let root = try file.root()
                try root.setAttribute("format", .string(TokenShardDataset.shardFormat))
                try root.setAttribute("version", .int(1))
                try root.setAttribute("vocabulary_size", .int(Int64(tokenizer.vocabularySize)))
                _ = try shard.tokens.withUnsafeBytes { try root.createContiguousDataset("tokens", type: .uint8, bytes: $0) }
                _ = try shard.offsets.withUnsafeBytes { try root.createContiguousDataset("offsets", type: .int64, bytes: $0) }
                _ = try shard.lengths.withUnsafeBytes { try root.createContiguousDataset("lengths", type: .int32, bytes: $0) }
                _ = try root.createStringDataset("ids", strings: shard.ids)
                _ = try root.createStringDataset("md5", strings: shard.md5s, fixedLength: 32)
                try file.close()
            }
        }
        return .init(file: Self.shardName(number), records: shard.ids.count, tokens: shard.tokens.count)
    }

    /// Writes `path` through `path.tmp`: `body` fills the temporary file, then fsync, rename, fsync of the folder.
    static func durablyWrite(_ path: String, _ body: (String) throws -> Void) throws {
        do {
            try DurableFile.replace(path, writing: body)
        } catch let error as TokenShardError {
            throw error
        } catch {
            throw TokenShardError.cannotWrite(file: path, reason: "\(error)")
        }
    }
}

import Foundation
import Volt
import VoltData

/// The dataset `data.path` names: FASTA files tokenized in memory, or a token shard folder read on demand;
/// either way the same ``TokenizedSequence`` elements and padding rules.
public enum TokenDataset: LengthAwareDataset, Sendable {
    /// FASTA records, tokenized when opened.
    case sequences(SequenceDataset)
    /// A shard folder (``TokenShardDataset``), with the padding rules to collate it.
    case shards(TokenShardDataset, SequenceCollator)

    /// Opens `path`: a folder holding `index.json` (shards), a FASTA file, or a glob such as `data/*.fasta.gz`
    /// (matching files are read in sorted order, as one dataset).
    ///
    /// - Throws: ``TokenShardError``, ``FASTAError``, or `ConfigurationError` for a path that names nothing usable.
    public static func open(_ path: String, maxLength: Int, padding: PaddingStrategy = .dynamic,
                            countPadInLoss: Bool = false) throws -> TokenDataset {
        let collator = SequenceCollator(maxLength: maxLength, padding: padding, countPadInLoss: countPadInLoss)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            guard FileManager.default.fileExists(atPath: path + "/" + TokenShardIndex.fileName) else {
                throw ConfigurationError.invalidValue(file: path, key: "data.path",
                                                      reason: "a folder without \(TokenShardIndex.fileName); make shards with `volt data tokenize`")
            }
            return .shards(try TokenShardDataset(folder: path, maxLength: maxLength), collator)
        }
        let files = try expand(path)
        var records: [FASTARecord] = []
        for file in files { records += try FASTAReader(path: file).readAll() }
        return .sequences(SequenceDataset(records, maxLength: maxLength, padding: padding, countPadInLoss: countPadInLoss))
    }

    /// The files a path or glob pattern names, sorted; a plain path is returned as it is.
    public static func expand(_ pattern: String) throws -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(pattern, 0, nil, &matches) == 0 else {
            throw ConfigurationError.invalidValue(file: pattern, key: "data.path", reason: "no file matches the pattern")
        }
        return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// The padding rules.
    public var collator: SequenceCollator {
        switch self {
        case let .sequences(d): d.collator
        case let .shards(_, c): c
        }
    }

    public var count: Int {
        switch self {
        case let .sequences(d): d.count
        case let .shards(d, _): d.count
        }
    }

    public func element(at index: Int) throws -> TokenizedSequence {
        switch self {
        case let .sequences(d): try d.element(at: index)
        case let .shards(d, _): try d.element(at: index)
        }
    }

    public func length(at index: Int) -> Int {
        switch self {
        case let .sequences(d): d.length(at: index)
        case let .shards(d, _): d.length(at: index)
        }
    }

    public func lengthLookup() -> @Sendable (Int) -> Int {
        switch self {
        case let .sequences(d): d.lengthLookup()
        case let .shards(d, _): d.lengthLookup()
        }
    }

    /// Pads `items` into one batch.
    public func collate(_ items: [TokenizedSequence]) -> TokenBatch { collator.collate(items) }

    /// A data loader over this dataset (or a subset of it); `sampler` replaces the shuffle.
    public func loader<D: Dataset>(_ data: D, batchSize: Int = 1, shuffle: Bool = false, seed: UInt64 = 0,
                                   workers: Int = 0, sampler: (any Sampler)? = nil) -> DataLoader<D, TokenBatch>
    where D.Element == TokenizedSequence {
        collator.loader(data, batchSize: batchSize, shuffle: shuffle, seed: seed, workers: workers, sampler: sampler)
    }
}

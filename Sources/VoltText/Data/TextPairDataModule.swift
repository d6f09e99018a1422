import Foundation
import VoltData

/// (prompt, target) text for fine-tuning a causal language model, after Lightning's `DataModule`: files read and
/// tokenized once, split at random into train, validation and (with three fractions) test parts, and batched with
/// dynamic padding — shuffled or length-bucketed for training, in order for evaluation. Each loader's
/// `distributed(rank:worldSize:)` gives a rank its shard.
public struct TextPairDataModule: Sendable {
    /// Loaders over one part of the split.
    public typealias Loader = DataLoader<Subset<TextPairDataset>, TextBatch>

    /// The configuration it was made from.
    public let configuration: TextDataConfiguration
    /// Every example, in file order.
    public let dataset: TextPairDataset
    /// Train, validation and (with three fractions) test parts.
    public let splits: [Subset<TextPairDataset>]
    /// The padding rules.
    public let collator: TextCollator

    /// Reads the tokenizer and the files of `configuration`, tokenizes and splits them.
    ///
    /// - Throws: ``TokenizerError`` or ``TextDataError`` naming the file, line, field or configuration key.
    public init(_ configuration: TextDataConfiguration) throws {
        let tokenizer = try HFTokenizer(contentsOf: URL(fileURLWithPath: configuration.tokenizer))
        try self.init(configuration, tokenizer: tokenizer)
    }

    /// The same with a tokenizer already loaded (`configuration.tokenizer` is not read).
    public init(_ configuration: TextDataConfiguration, tokenizer: HFTokenizer) throws {
        let split = configuration.split
        guard (2...3).contains(split.count), split.allSatisfy({ $0 >= 0 && $0.isFinite }), abs(split.reduce(0, +) - 1) < 1e-6 else {
            throw TextDataError.invalidConfiguration(key: "data.split", reason: "expected two or three fractions ≥ 0 adding up to 1, got \(split)")
        }
        guard configuration.maxLength > 0 else {
            throw TextDataError.invalidConfiguration(key: "data.max_length", reason: "must be positive")
        }
        guard configuration.batchSize > 0 else {
            throw TextDataError.invalidConfiguration(key: "data.batch_size", reason: "must be positive")
        }
        func id(_ token: String?, key: String) throws -> Int32? {
            guard let token else { return nil }
            guard let id = tokenizer.id(of: token) else {
                throw TextDataError.invalidConfiguration(key: key, reason: "the tokenizer has no token \(token.debugDescription)")
            }
            return id
        }
        let eos = try id(configuration.eosToken, key: "data.eos_token")
        let pad = try id(configuration.padToken, key: "data.pad_token") ?? eos ?? 0
        let template = try PromptTemplate(configuration.promptTemplate ?? "{\(configuration.promptField)}")
        let encoder = TextPairEncoder(tokenizer: tokenizer, template: template, targetField: configuration.targetField,
                                      maxLength: configuration.maxLength, maxTargetLength: configuration.maxTargetLength,
                                      truncation: configuration.truncation, eosID: eos)
        self.configuration = configuration
        dataset = try TextPairDataset(paths: configuration.path, format: configuration.format, encoder: encoder)
        splits = dataset.randomSplit(split, seed: UInt64(configuration.seed))
        collator = TextCollator(padID: pad)
    }

    /// The training part: shuffled, or length-bucketed with `sampler: bucketed`.
    public func trainLoader() -> Loader {
        let c = configuration
        let sampler: (any Sampler)? = c.sampler == .bucketed
            ? BucketedSampler(splits[0], batchSize: c.batchSize, windowBatches: c.bucketWindow, seed: UInt64(c.seed)) : nil
        return collator.loader(splits[0], batchSize: c.batchSize, shuffle: true, seed: UInt64(c.seed), workers: c.numWorkers,
                               sampler: sampler)
    }

    /// The validation part in order, or nil when it is empty.
    public func valLoader() -> Loader? { evaluationLoader(1) }

    /// The test part in order, or nil when the split has none or it is empty.
    public func testLoader() -> Loader? { evaluationLoader(2) }

    private func evaluationLoader(_ i: Int) -> Loader? {
        guard splits.count > i, splits[i].count > 0 else { return nil }
        return collator.loader(splits[i], batchSize: configuration.batchSize, workers: configuration.numWorkers)
    }
}

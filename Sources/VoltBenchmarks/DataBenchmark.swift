import Foundation
import GenSLM
import VoltData
import VoltNN
import VoltTensor

/// `volt bench --op data`: how fast data reaches the model, against how fast genslm-tiny consumes it.
///
/// Measures, on one FASTA file (and its token shards, made in a temporary folder when none are given):
/// - the loader's tokens/s from FASTA (read, tokenize in memory, collate every batch of one epoch) and from
///   shards (open, read each record from the mapping, collate), both on one thread;
/// - genslm-tiny's training tokens/s on the same batches (forward, backward, Adam), with the random and the
///   length-bucketed sampler, and the padding fraction of each sampler over a whole epoch.
/// Tokens are real (non-padding) tokens throughout.
public struct DataBenchmark: Sendable {
    /// The FASTA file.
    public var fasta: String
    /// A shard folder of the same records (`nil`: tokenized into a temporary folder first).
    public var shards: String?
    /// Sequences per batch.
    public var batchSize: Int
    /// Tokens per sequence.
    public var maxLength: Int
    /// Batches per sorting window of the bucketed sampler.
    public var bucketWindow: Int
    /// Timed training steps per sampler.
    public var trainSteps: Int

    /// A benchmark of `fasta`.
    public init(fasta: String, shards: String? = nil, batchSize: Int = 8, maxLength: Int = 512, bucketWindow: Int = 100,
                trainSteps: Int = 30) {
        self.fasta = fasta
        self.shards = shards
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.bucketWindow = bucketWindow
        self.trainSteps = trainSteps
    }

    /// The measurements (`volt bench --op data --json`).
    public struct Result: Codable, Sendable {
        /// The FASTA file.
        public var fasta: String
        /// Records in it.
        public var records: Int
        /// Sequences per batch.
        public var batch_size: Int
        /// Tokens per sequence.
        public var max_length: Int
        /// Loader throughput from FASTA, including reading and tokenizing the file.
        public var fasta_loader_tokens_per_s: Double
        /// Loader throughput from shards, including opening them.
        public var shard_loader_tokens_per_s: Double
        /// Records in the shard set.
        public var shard_records: Int
        /// Seconds from opening the shard set to the first shuffled training batch (split, sampler, collation):
        /// the data's share of the time to the first step.
        public var shard_first_batch_s: Double
        /// genslm-tiny training throughput with the random sampler.
        public var model_tokens_per_s: Double
        /// shard loader ÷ model.
        public var shard_loader_over_model: Double
        /// FASTA loader ÷ model.
        public var fasta_loader_over_model: Double
        /// Padding positions ÷ all positions, random sampler, one epoch.
        public var padding_random: Double
        /// The same with the bucketed sampler.
        public var padding_bucketed: Double
        /// genslm-tiny training throughput with the bucketed sampler.
        public var model_tokens_per_s_bucketed: Double
    }

    /// Runs the benchmark.
    public func run() throws -> Result {
        let collator = SequenceCollator(maxLength: maxLength)
        // FASTA: read, tokenize, collate one epoch.
        var start = DispatchTime.now().uptimeNanoseconds
        let memory = SequenceDataset(try FASTAReader(path: fasta).readAll(), maxLength: maxLength)
        let fastaTokens = try epochTokens(collator.loader(memory, batchSize: batchSize))
        let fastaSeconds = seconds(since: start)

        var folder = shards
        if folder == nil {
            let temporary = NSTemporaryDirectory() + "volt-bench-shards-\(UUID().uuidString)"
            try TokenShardWriter().tokenize([fasta], into: temporary)
            folder = temporary
        }
        defer { if shards == nil, let folder { try? FileManager.default.removeItem(atPath: folder) } }
        start = DispatchTime.now().uptimeNanoseconds
        let opened = try TokenShardDataset(folder: folder ?? "", maxLength: maxLength)
        let split = opened.randomSplit([0.8, 0.2], seed: 42)
        _ = try collator.loader(split[0], batchSize: batchSize, shuffle: true, seed: 1).batches(epoch: 0).next()
        let firstBatch = seconds(since: start)
        start = DispatchTime.now().uptimeNanoseconds
        let shardData = try TokenShardDataset(folder: folder ?? "", maxLength: maxLength)
        let shardTokens = try epochTokens(collator.loader(shardData, batchSize: batchSize))
        let shardSeconds = seconds(since: start)

        let random = collator.loader(shardData, batchSize: batchSize, shuffle: true, seed: 1)
        let bucketed = collator.loader(shardData, batchSize: batchSize, shuffle: true, seed: 1,
                                       sampler: BucketedSampler(shardData, batchSize: batchSize, windowBatches: bucketWindow, seed: 1))
        let modelRandom = try trainingTokensPerSecond(random)
        let modelBucketed = try trainingTokensPerSecond(bucketed)
        let fastaRate = Double(fastaTokens) / fastaSeconds, shardRate = Double(shardTokens) / shardSeconds
        return Result(fasta: fasta, records: memory.count, batch_size: batchSize, max_length: maxLength,
                      fasta_loader_tokens_per_s: fastaRate, shard_loader_tokens_per_s: shardRate,
                      shard_records: shardData.count, shard_first_batch_s: firstBatch,
                      model_tokens_per_s: modelRandom, shard_loader_over_model: shardRate / modelRandom,
                      fasta_loader_over_model: fastaRate / modelRandom,
                      padding_random: paddingFraction(random.batchIndices(epoch: 0), shardData),
                      padding_bucketed: paddingFraction(bucketed.batchIndices(epoch: 0), shardData),
                      model_tokens_per_s_bucketed: modelBucketed)
    }

    /// Real tokens of one epoch of `loader`, every batch collated.
    private func epochTokens<D: Dataset>(_ loader: DataLoader<D, TokenBatch>) throws -> Int {
        let batches = loader.batches(epoch: 0)
        var tokens = 0
        while let batch = try batches.next() { tokens += batch.tokenCount }
        return tokens
    }

    /// genslm-tiny training tokens/s (real tokens) over `trainSteps` batches after two warm-up steps.
    private func trainingTokensPerSecond<D: Dataset>(_ loader: DataLoader<D, TokenBatch>) throws -> Double {
        let model = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 0)
        let optimizer = Adam(model.parameters, lr: 1e-5)
        let batches = loader.batches(epoch: 0)
        var tokens = 0, step = 0
        var start = DispatchTime.now().uptimeNanoseconds
        while step < trainSteps + 2, let batch = try batches.next() {
            if step == 2 { start = DispatchTime.now().uptimeNanoseconds }
            try model.loss(batch).backward()
            optimizer.step()
            optimizer.zeroGrad()
            if step >= 2 { tokens += batch.tokenCount }
            step += 1
        }
        return Double(tokens) / seconds(since: start)
    }

    /// Padding positions ÷ all positions of dynamically padded `batches`.
    private func paddingFraction<D: LengthAwareDataset>(_ batches: [[Int]], _ data: D) -> Double {
        var padded = 0, total = 0
        for batch in batches {
            let lengths = batch.map { data.length(at: $0) }
            let longest = Swift.max(lengths.max() ?? 0, 2)
            total += longest * batch.count
            padded += lengths.reduce(0) { $0 + longest - $1 }
        }
        return total == 0 ? 0 : Double(padded) / Double(total)
    }

    private func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

import Foundation
import GenSLM
import Volt
import VoltData
import VoltTensor

/// Embedding throughput (`volt bench --op embed`): a preset's model with random weights embeds random codon
/// sequences through the same prediction path as `volt embed` (all hidden states collected, the chosen layer
/// mean-pooled). `scripts/bench_embed_torch.py` measures transformers on the same shape.
public struct EmbeddingBenchmark: Sendable {
    /// The model.
    public var preset: GenSLMPreset
    /// Codons per sequence (at most the model's positions).
    public var sequenceLength: Int
    /// Sequences per forward pass.
    public var batchSize: Int
    /// Timed batches (one more runs first, untimed).
    public var batches: Int
    /// Activation precision.
    public var precision: Precision

    /// A benchmark.
    public init(preset: GenSLMPreset = .m25, sequenceLength: Int = 1024, batchSize: Int = 4, batches: Int = 3,
                precision: Precision = .fp32) {
        self.preset = preset
        self.sequenceLength = sequenceLength
        self.batchSize = batchSize
        self.batches = batches
        self.precision = precision
    }

    /// What was measured.
    public struct Result: Codable, Sendable {
        /// The preset embedded with (`genslm-25m`).
        public var model: String
        /// `fp32`, `bf16` or `fp16`.
        public var precision: String
        /// Tokens per sequence.
        public var sequence_length: Int
        /// Sequences per forward pass.
        public var batch_size: Int
        /// Sequences embedded in the timed run.
        public var sequences: Int
        /// Wall time of the timed run.
        public var seconds: Double
        /// `sequences / seconds`.
        public var sequences_per_s: Double
        /// `sequences · sequence_length / seconds`.
        public var tokens_per_s: Double
        /// Threads of the kernels' pool.
        public var threads: Int
        /// The matmul backend (`onednn` or `openblas`).
        public var backend: String
    }

    /// Runs the benchmark.
    ///
    /// - Throws: `GPTNeoXError/sequenceTooLong(length:maximum:)` when the length exceeds the model's positions.
    public func run() throws -> Result {
        var configuration = preset.configuration
        configuration.hiddenDropout = 0
        configuration.attentionDropout = 0
        guard sequenceLength >= 1, sequenceLength <= configuration.maxPositionEmbeddings else {
            throw GPTNeoXError.sequenceTooLong(length: sequenceLength, maximum: configuration.maxPositionEmbeddings)
        }
        guard batchSize >= 1, batches >= 1 else { throw EmbeddingError.invalidBatchSize(Swift.min(batchSize, batches)) }
        let model = try GPTNeoX(configuration, seed: 1)
        let module = try EmbeddingModule(model: model, options: EmbeddingOptions(layers: [-1], pooling: .mean, batchSize: batchSize))
        var generator = RandomGenerator(seed: 2)
        let codons = CodonTokenizer.vocabulary.dropFirst(5)
        let sequences = (0..<(batchSize * (batches + 1))).map { _ in
            (0..<sequenceLength).map { _ in codons[5 + generator.nextInt(below: codons.count)] }.joined()
        }
        let dataset = SequenceDataset(sequences, maxLength: configuration.maxPositionEmbeddings)
        let trainer = try Trainer(enableProgressBar: false, enableCheckpointing: false, precision: precision, loggers: [])
        let warmup = Subset(dataset, indices: Array(0..<batchSize))
        try trainer.predict(module, dataset.loader(warmup, batchSize: batchSize), returnPredictions: false)
        let timed = Subset(dataset, indices: Array(batchSize..<dataset.count))
        let start = Date()
        try trainer.predict(module, dataset.loader(timed, batchSize: batchSize), returnPredictions: false)
        let seconds = Date().timeIntervalSince(start)
        let count = batchSize * batches
        return Result(model: preset.rawValue, precision: precision.rawValue, sequence_length: sequenceLength, batch_size: batchSize,
                      sequences: count, seconds: seconds, sequences_per_s: Double(count) / seconds,
                      tokens_per_s: Double(count * sequenceLength) / seconds, threads: RuntimeReport.current.threads,
                      backend: RuntimeReport.current.backend)
    }
}

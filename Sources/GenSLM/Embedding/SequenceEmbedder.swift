import Foundation
import Volt

/// What ``SequenceEmbedder/embed(records:fasta:model:options:to:strategy:precision:checkpoint:progress:)`` did.
public struct EmbeddingSummary: Codable, Sendable, Equatable {
    /// Records embedded.
    public var sequences: Int
    /// Records cut to the model's positions.
    public var truncated: Int
    /// Hidden-state indices written (non-negative).
    public var layers: [Int]
    /// `mean` or `none`.
    public var pooling: String
    /// Width of each vector.
    public var hiddenSize: Int
    /// The embedding file.
    public var out: String
    /// Wall-clock seconds of the prediction loop and the write.
    public var seconds: Double
    /// Records per second.
    public var sequencesPerSecond: Double
    /// Processes that shared the work.
    public var worldSize: Int

    enum CodingKeys: String, CodingKey {
        case sequences, truncated, layers, pooling, out, seconds
        case hiddenSize = "hidden_size", sequencesPerSecond = "sequences_per_s", worldSize = "world_size"
    }
}

/// GenSLM's inference: every FASTA record's hidden states of the chosen layers, optionally mean-pooled, written
/// to HDF5 through `Trainer.predict` (so `--devices N` shares the records out).
public enum SequenceEmbedder {
    /// Embeds `records` (read from `fasta`) with `model` and writes `out` on rank 0.
    ///
    /// - Throws: ``EmbeddingError`` for an empty input, a bad layer or batch size; write errors from
    ///   ``EmbeddingFile``.
    public static func embed(records: [FASTARecord], fasta: String, model: GPTNeoX, options: EmbeddingOptions,
                             to out: String, strategy: (any Strategy)? = nil, precision: Precision = .fp32,
                             checkpoint: String = "", progress: Bool = true) throws -> EmbeddingSummary {
        guard options.batchSize >= 1 else { throw EmbeddingError.invalidBatchSize(options.batchSize) }
        let input = try EmbeddingInput(records: records, file: fasta, maxPositions: model.configuration.maxPositionEmbeddings)
        let module = try EmbeddingModule(model: model, options: options)
        let writer = EmbeddingWriter(input: input, module: module, path: out, checkpoint: checkpoint)
        var callbacks: [any Callback] = [writer]
        if progress { callbacks.append(PredictionProgress(total: records.count)) }
        let trainer = try Trainer(enableProgressBar: false, enableCheckpointing: false, precision: precision,
                                  strategy: strategy, callbacks: callbacks, loggers: [])
        let start = Date()
        let loader = input.dataset.loader(input.dataset, batchSize: options.batchSize)
        try trainer.predict(module, loader, returnPredictions: false)
        let seconds = Date().timeIntervalSince(start)
        return EmbeddingSummary(sequences: records.count, truncated: input.truncated, layers: module.layers,
                                pooling: options.pooling.rawValue, hiddenSize: model.configuration.hiddenSize, out: out,
                                seconds: seconds, sequencesPerSecond: Double(records.count) / Swift.max(seconds, 1e-9),
                                worldSize: trainer.strategy.worldSize)
    }
}

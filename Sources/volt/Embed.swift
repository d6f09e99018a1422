import ArgumentParser
import Foundation
import GenSLM
import Volt
import VoltCLI

/// `volt embed`: per-record hidden states of a checkpoint's model for a FASTA file, written to HDF5.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Embed FASTA records with a checkpoint's model (hidden states per layer, mean-pooled or per token) into HDF5.",
        discussion: "Layer L is transformers' hidden_states[L]: 0 the embedding output, the last after the final layer norm; negative layers count from the end.")

    @Option(help: "The checkpoint (.h5).")
    var ckpt: String

    @Option(help: "FASTA file (plain or .gz).")
    var fasta: String

    @Option(parsing: .unconditional, help: "Comma-separated hidden-state layers, e.g. 0,-1 (negative: from the end).")
    var layers = "-1"

    @Option(help: "mean (one vector per record and layer) or none (one per token).")
    var pool: EmbeddingPooling = .mean

    @Option(help: "Output HDF5 file.")
    var out: String

    @Flag(help: "Also write each record's next-codon logits (tokens × 69) under logits/<index>.")
    var logits = false

    @Option(name: .customLong("batch-size"), help: "Records per forward pass.")
    var batchSize = 8

    @Option(help: "fp32, bf16 or fp16 activations.")
    var precision: Precision = .fp32

    @Option(help: "Processes (data-parallel over MPI; each embeds its share).")
    var devices = 1

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    func validate() throws {
        guard batchSize >= 1, devices >= 1 else { throw ValidationError("--batch-size and --devices must be at least 1") }
        guard parsedLayers != nil else { throw ValidationError("--layers must be comma-separated integers, have \"\(layers)\"") }
    }

    private var parsedLayers: [Int]? {
        let values = layers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.isEmpty || values.contains(nil) ? nil : values.compactMap { $0 }
    }

    func run() throws {
        try runReportingErrors {
            try VoltCLI.relaunchIfNeeded(strategy: .ddp, devices: devices)
            let strategy: (any Strategy)? = MPICommunicator.world.map { $0.size > 1 } == true ? try DDPStrategy() : nil
            let module = try GenSLMModule.load(from: ckpt)
            let records = try FASTAReader(path: fasta).readAll()
            let options = EmbeddingOptions(layers: parsedLayers ?? [-1], pooling: pool, batchSize: batchSize, logits: logits)
            let summary = try SequenceEmbedder.embed(records: records, fasta: fasta, model: module.model, options: options,
                                                     to: out, strategy: strategy, precision: precision, checkpoint: ckpt)
            guard strategy?.isGlobalZero ?? true else { return }
            if json { try printJSON(summary); return }
            print("embedded \(summary.sequences) sequences (layers \(summary.layers.map(String.init).joined(separator: ",")), "
                  + "\(summary.pooling) pooling, hidden \(summary.hiddenSize)) into \(summary.out)")
            print("truncated to \(module.model.configuration.maxPositionEmbeddings) codons: \(summary.truncated)")
            print(String(format: "%.1f sequences/s over %d process%@", summary.sequencesPerSecond, summary.worldSize,
                         summary.worldSize == 1 ? "" : "es"))
        }
    }
}

extension EmbeddingPooling: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}

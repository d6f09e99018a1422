import ArgumentParser
import Foundation
import GenSLM
import Volt
import VoltBenchmarks
import VoltCLI
import VoltNN
import VoltTensor

/// `volt bench`: measured throughput of Volt's kernels on this machine.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure model training tokens/s and MFU, embedding sequences/s, matmul GFLOP/s (each backend) or elementwise GB/s.",
        discussion: """
            --op model: --model tiny|small|genslm-25m (the shapes of PyTorch's bench_torch.py anchor, AdamW step each \
            iteration), genslm-250m or genslm-2.5b (those presets at 2048 tokens × 1 sequence).
            --op model also takes llama-small (hidden 512, 8 layers, 8 heads, 4 key/value heads, intermediate 1408, \
            vocabulary 32000, 512 tokens × 4 sequences) and llama-tiny (for tests).
            --op tokenize: single-thread encode MB/s and tokens/s of --tokenizer over a generated mixed corpus; compare \
            with scripts/bench_tokenizers.py.
            --op model --strategy ddp|zero1|zero2|zero3 --devices N: N MPI ranks on this machine (volt bench runs \
            itself again under mpirun, as volt fit does), each training its own batch through that strategy; rank 0 \
            prints tokens/s of all ranks and each rank's peak resident memory (rank_peak_rss_mb).
            --op embed: --model is a preset (default genslm-25m), random weights and codons; compare with scripts/bench_embed_torch.py.
            """
    )

    enum Operation: String, ExpressibleByArgument, CaseIterable {
        case model, embed, matmul, ops, data, tokenize
    }

    @Option(help: "What to measure: \(Operation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var op: Operation = .model

    @Option(help: "Model shape for --op model: tiny (default), small, genslm-25m, genslm-250m, genslm-2.5b, llama-tiny or llama-small; preset for --op embed (default genslm-25m).")
    var model: String?

    @Option(name: .customLong("sequence-length"), help: "Codons per sequence (--op embed).")
    var sequenceLength = 1024

    @Option(name: .customLong("batch-size"), help: "Sequences per forward pass (--op embed) or per batch (--op data; the data measurements used 8).")
    var batchSize = 4

    @Option(help: "Timed batches after one untimed (--op embed).")
    var batches = 3

    @Option(help: "Numeric precision (--op model and embed).")
    var precision: Precision = .fp32

    @Option(help: "Timed training steps (--op model).")
    var steps = 10

    @Option(help: "Untimed training steps before the timed ones (--op model).")
    var warmup = 3

    @Flag(name: .customLong("gradient-checkpointing"), help: "Recompute each layer's activations in backward (--op model).")
    var gradientCheckpointing = false

    @Option(help: "none, or lora: adapters (r 8, alpha 32, dropout 0.1, on query_key_value) over frozen base weights, stored in bfloat16 under bf16 (--op model).")
    var peft: PEFTChoice = .none

    enum PEFTChoice: String, ExpressibleByArgument, CaseIterable { case none, lora }

    @Option(help: "adamw, or adamw8bit (block-wise 8-bit moments: about 2 bytes of state per weight instead of 8) (--op model).")
    var optimizer: OptimizerChoice = .adamw

    enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable { case adamw, adamw8bit }

    @Option(help: "auto (one process, or ddp with --devices > 1), ddp, zero1, zero2 or zero3: the strategy every rank trains through (--op model).")
    var strategy: StrategyKind = .auto

    @Option(help: "MPI ranks on this machine, each training its own batch; above 1, volt bench runs again under mpirun (--op model).")
    var devices = 1

    @Option(help: "Matrix size for --op matmul (m = n = k).")
    var size = 1024

    @Option(help: "Timed repetitions; the best is reported.")
    var repeats = 10

    @Option(help: "FASTA file for --op data (default: the rabies genes).")
    var fasta = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"

    @Option(help: "Token shard folder of the same records for --op data (default: made in a temporary folder).")
    var shards: String?

    @Option(help: "tokenizer.json for --op tokenize (default: Benchmarks/bytelevel_llama3.tokenizer.json of this checkout).")
    var tokenizer: String?

    @Option(help: "Documents of the generated corpus for --op tokenize (12000: 4.94 MB).")
    var documents = 12_000

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() throws {
        for warning in RuntimeReport.current.warnings { FileHandle.standardError.write(Data("volt: \(warning)\n".utf8)) }
        guard op == .model || (strategy == .auto && devices == 1) else {
            throw ValidationError("--strategy and --devices apply to --op model only")
        }
        switch op {
        case .model:
            let model = self.model ?? "tiny"
            let llama = LlamaBenchmark.Shape(rawValue: model)
            guard llama != nil || ModelBenchmark.Shape(rawValue: model) != nil else {
                let names = ModelBenchmark.Shape.allCases.map(\.rawValue) + LlamaBenchmark.Shape.allCases.map(\.rawValue)
                throw ValidationError("--model must be one of \(names.joined(separator: ", "))")
            }
            let parallelism: DataParallelism
            do throws(BenchmarkError) {
                parallelism = try DataParallelism(strategy: strategy, devices: devices)
                try parallelism.check(model: model, layered: !(llama?.configuration.isMixtureOfExperts ?? false),
                                      eightBitOptimizer: optimizer == .adamw8bit)
            } catch { throw ValidationError(error.description) }
            try VoltCLI.relaunchIfNeeded(strategy: strategy, devices: devices)  // returns in each rank, or exits
            try VoltCLI.reportingErrors { try runModel(model, parallelism: parallelism) }
        case .embed:
            let preset = try GenSLMPreset.named(model ?? GenSLMPreset.m25.rawValue)
            let result = try EmbeddingBenchmark(preset: preset, sequenceLength: sequenceLength, batchSize: batchSize, batches: batches,
                                                precision: precision).run()
            if json { try printJSON(result) } else {
                print("embed \(result.model) \(result.precision), \(result.sequence_length) codons × batch \(result.batch_size): "
                      + "\(String(format: "%.2f", result.sequences_per_s)) sequences/s (\(String(format: "%.0f", result.tokens_per_s)) tokens/s, "
                      + "\(result.sequences) sequences in \(String(format: "%.2f", result.seconds)) s, \(result.threads) threads)")
            }
        case .matmul:
            let result = MatMulBenchmark(size: size, repeats: repeats).run()
            if json { try printJSON(result) } else {
                print("matmul \(size)³ fp32 via Tensor.matmul (\(result.backend)): \(format(result.gflops)) GFLOP/s")
                for (name, value) in result.backends.sorted(by: { $0.key < $1.key }) {
                    print("  \(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(format(value)) GFLOP/s")
                }
                print("  threads \(result.runtime.threads), ISA \(result.runtime.cpuISA), OpenBLAS \(result.runtime.openBLASCore)")
            }
        case .data:
            let result = try DataBenchmark(fasta: fasta, shards: shards, batchSize: batchSize, trainSteps: steps * 3).run()
            if json { try printJSON(result) } else {
                print("loader from FASTA:  \(format(result.fasta_loader_tokens_per_s)) tokens/s (\(format(result.fasta_loader_over_model))× the model)")
                print("loader from shards: \(format(result.shard_loader_tokens_per_s)) tokens/s (\(format(result.shard_loader_over_model))× the model), "
                      + "\(result.shard_records) records, first batch after \(String(format: "%.3f", result.shard_first_batch_s)) s")
                print("genslm-tiny training: \(format(result.model_tokens_per_s)) tokens/s random, "
                      + "\(format(result.model_tokens_per_s_bucketed)) tokens/s bucketed (batch \(result.batch_size))")
                print("padding: \(String(format: "%.1f", result.padding_random * 100))% random, "
                      + "\(String(format: "%.1f", result.padding_bucketed * 100))% bucketed")
            }
        case .tokenize:
            let file = tokenizer.map { URL(fileURLWithPath: $0) }
                ?? URL(fileURLWithPath: New.voltRoot).appendingPathComponent("Benchmarks/bytelevel_llama3.tokenizer.json")
            let result = try TokenizeBenchmark(tokenizer: file, documents: documents, repeats: repeats).run()
            if json { try printJSON(result) } else {
                print("tokenize \(result.tokenizer), \(result.documents) documents (\(String(format: "%.2f", result.megabytes)) MB): "
                      + "\(String(format: "%.2f", result.mb_per_s)) MB/s, \(format(result.tokens_per_s)) tokens/s (one thread)")
            }
        case .ops:
            let result = ElementwiseBenchmark(repeats: repeats).run()
            if json { try printJSON(result) } else {
                for (name, value) in result.gbps.sorted(by: { $0.key < $1.key }) {
                    print("\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(format(value)) GB/s")
                }
            }
        }
    }

    /// Runs `--op model` on this rank; rank 0 prints the result.
    private func runModel(_ model: String, parallelism: DataParallelism) throws {
        let result: ModelBenchmark.Result
        if let llama = LlamaBenchmark.Shape(rawValue: model) {
            var benchmark = try LlamaBenchmark(shape: llama, precision: precision, steps: steps, warmup: warmup)
            benchmark.parallelism = parallelism
            result = try benchmark.run()
        } else {
            let shape = ModelBenchmark.Shape(rawValue: model) ?? .tiny
            result = try ModelBenchmark(shape: shape, precision: precision, steps: steps, warmup: warmup,
                                        gradientCheckpointing: gradientCheckpointing,
                                        lora: peft == .lora ? LoRAConfiguration(r: 8, alpha: 32, dropout: 0.1) : nil,
                                        eightBitOptimizer: optimizer == .adamw8bit, parallelism: parallelism).run()
        }
        guard MPICommunicator.world.map({ $0.rank == 0 }) ?? true else { return }
        try report(result)
    }

    /// Prints a training benchmark's result: JSON, or one line.
    private func report(_ result: ModelBenchmark.Result) throws {
        if json { return try printJSON(result) }
        if result.devices > 1 {
            print("\(result.model) \(result.precision) \(result.strategy) × \(result.devices) ranks: "
                  + "\(String(format: "%.0f", result.tokens_per_s)) tokens/s, \(String(format: "%.1f", result.step_ms)) ms/step, "
                  + "MFU \(String(format: "%.1f", result.mfu * 100))%, peak RSS per rank "
                  + result.rank_peak_rss_mb.map { format($0) }.joined(separator: ", ") + " MB")
            return
        }
        print("\(result.model) \(result.precision): \(String(format: "%.0f", result.tokens_per_s)) tokens/s, "
              + "\(String(format: "%.1f", result.step_ms)) ms/step, MFU \(String(format: "%.1f", result.mfu * 100))% "
              + "of \(format(result.matmul_peak_gflops)) GFLOP/s, peak RSS \(format(result.peak_rss_mb)) MB")
    }
}

extension StrategyKind: ExpressibleByArgument {}

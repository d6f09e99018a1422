import ArgumentParser
import Foundation
import GenSLM
import VoltTensor

/// `volt bench`: measured throughput of Volt's kernels on this machine.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure model training tokens/s and MFU, matmul GFLOP/s (each backend) or elementwise GB/s.",
        discussion: "--model tiny|small|genslm-25m runs the shapes of shared/anchors/bench_torch.py (AdamW step each iteration)."
    )

    enum Operation: String, ExpressibleByArgument, CaseIterable {
        case model, matmul, ops, data
    }

    @Option(help: "What to measure: \(Operation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var op: Operation = .model

    @Option(help: "Model shape for --op model: tiny, small or genslm-25m.")
    var model = "tiny"

    @Option(help: "fp32, bf16 or fp16 (--op model).")
    var precision = "fp32"

    @Option(help: "Timed training steps (--op model).")
    var steps = 10

    @Option(help: "Matrix size for --op matmul (m = n = k).")
    var size = 1024

    @Option(help: "Timed repetitions; the best is reported.")
    var repeats = 10

    @Option(help: "FASTA file for --op data (default: the rabies genes).")
    var fasta = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"

    @Option(help: "Token shard folder of the same records for --op data (default: made in a temporary folder).")
    var shards: String?

    @Option(help: "Sequences per batch (--op data).")
    var batchSize = 8

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() throws {
        for warning in RuntimeReport.current.warnings { FileHandle.standardError.write(Data("volt: \(warning)\n".utf8)) }
        switch op {
        case .model:
            guard let shape = ModelBenchmark.Shape(rawValue: model) else {
                throw ValidationError("--model must be one of \(ModelBenchmark.Shape.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let result = try ModelBenchmark(shape: shape, precision: precision, steps: steps).run()
            if json { try printJSON(result) } else {
                print("\(result.model) \(result.precision): \(String(format: "%.0f", result.tokens_per_s)) tokens/s, "
                      + "\(String(format: "%.1f", result.step_ms)) ms/step, MFU \(String(format: "%.1f", result.mfu * 100))% "
                      + "of \(format(result.matmul_peak_gflops)) GFLOP/s, peak RSS \(format(result.peak_rss_mb)) MB")
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
        case .ops:
            let result = ElementwiseBenchmark(repeats: repeats).run()
            if json { try printJSON(result) } else {
                for (name, value) in result.gbps.sorted(by: { $0.key < $1.key }) {
                    print("\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(format(value)) GB/s")
                }
            }
        }
    }
}

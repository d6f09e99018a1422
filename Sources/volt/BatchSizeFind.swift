import ArgumentParser
import Foundation
import GenSLM
import VoltApp
import Volt
import VoltCLI

/// `volt batch-size-find`: the largest batch size that fits a memory budget without losing tokens/s.
struct BatchSizeFind: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-size-find",
        abstract: "Find the largest data.batch_size whose training fits a memory budget without losing tokens/s.",
        discussion: """
            Tries batch sizes 1, 2, 4, … then bisects, training a fresh module a few steps per size on sequences of \
            data.max_length tokens. Memory is the tensor buffer pool's high-water mark of each trial alone (not the \
            process's RSS, which only grows). Writes the result as a YAML file to layer over the configuration: \
            volt fit --config c.yaml --config batch_size.yaml
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("max-memory"), help: "The memory budget, e.g. 16GiB or 800MB (default: 80% of the machine's memory).")
    var maxMemory: String?

    @Option(name: .customLong("max-batch-size"), help: "The largest size to try (default: the number of training sequences).")
    var maxBatchSize: Int?

    @Option(help: "Timed training steps per size.")
    var steps = 3

    @Option(help: "Untimed steps per size before the timed ones.")
    var warmup = 1

    @Option(name: .customLong("throughput-tolerance"), help: "How far tokens/s may fall below a smaller size's (1: ignore speed).")
    var throughputTolerance = 0.1

    @Option(help: "Where the YAML result goes.")
    var out = "batch_size.yaml"

    @Flag(help: "Print the result and every trial as one JSON object.")
    var json = false

    struct Report: Encodable {
        var result: BatchSizeSearchResult
        var yaml: String
        var memory = "tensor buffer pool high-water mark per trial"

        func encode(to encoder: Encoder) throws {
            try result.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(yaml, forKey: .yaml)
            try c.encode(memory, forKey: .memory)
        }
        enum Keys: String, CodingKey { case yaml, memory }
    }

    func run() throws {
        try runReportingErrors {
            // One process whatever trainer.strategy says (FineTuneRun's tuners run strategy single): no relaunch.
            let configuration = try options.load(FineTuneConfiguration.self)
            let budget = try maxMemory.map { try ByteCount.parse($0) } ?? ByteCount.physicalMemory() / 5 * 4
            let result = try FineTuneRun(configuration).findBatchSize(
                maxMemoryBytes: budget, maxBatchSize: maxBatchSize, steps: steps, warmup: warmup,
                throughputTolerance: throughputTolerance)
            try BatchSizeSnippet(batchSize: result.batchSize).write(to: out)
            if json { try printJSON(Report(result: result, yaml: out)); return }
            func column(_ text: String, _ width: Int) -> String { String(repeating: " ", count: Swift.max(0, width - text.count)) + text }
            print("batch size  peak tensor memory  tokens/s  result")
            for t in result.trials {
                let verdict = t.passed ? "fits" : (t.failure == .memory ? "over budget" : "slower")
                print(column(String(t.batchSize), 10) + "  " + column(ByteCount.format(t.peakBytes), 18) + "  "
                      + column(String(format: "%.0f", t.tokensPerSecond), 8) + "  " + verdict)
            }
            print("largest batch size under \(ByteCount.format(budget)): \(result.batchSize) (next size: \(result.limitedBy.rawValue))")
            let configs = (options.config.isEmpty ? ["config.yaml"] : options.config).map { "--config \($0) " }.joined()
            print("wrote \(out): volt fit \(configs)--config \(out)")
        }
    }
}

import ArgumentParser
import VoltTensor

/// The `volt` command: benchmarks now; training, evaluation and data tools as they land.
@main
struct VoltCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volt",
        abstract: "Lightning-style training for codon language models, in Swift.",
        subcommands: [Bench.self]
    )
}

import ArgumentParser
import Foundation
import GenSLM
import VoltApp
import Volt
import VoltCLI

/// The `volt` command: the GenSLM and text fine-tuning workflows from a YAML file, evaluation, generation, data and checkpoint tools,
/// project templates and benchmarks.
@main
struct VoltCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volt",
        abstract: "Lightning-style training for codon language models, in Swift.",
        subcommands: [Fit.self, Validate.self, Test.self, VoltCLI.Predict<FineTuneConfiguration>.self, Eval.self, Embed.self, Generate.self, DataCommand.self,
                      CheckpointCommand.self, New.self, Bench.self, LRFind.self, BatchSizeFind.self, Plot.self, Tune.self]
    )
}

/// Runs `body`, reporting an error as ``VoltCLI/reportingErrors(_:)`` does.
func runReportingErrors(_ body: () throws -> Void) throws { try VoltCLI.reportingErrors(body) }

/// Prints `value` as one line of JSON, as ``VoltCLI/printJSON(_:)`` does.
func printJSON<T: Encodable>(_ value: T) throws { try VoltCLI.printJSON(value) }

/// `%.1f`.
func format(_ value: Double) -> String { String(format: "%.1f", value) }

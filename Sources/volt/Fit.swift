import ArgumentParser
import Foundation
import GenSLM
import Volt

/// `volt fit`: the GenSLM fine-tuning workflow from a YAML configuration.
struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune a GenSLM model as config.yaml describes (see Sources/GenSLM/GenSLM.docc/configuration.md).",
        discussion: "Any key can be overridden on the command line: volt fit --config c.yaml --trainer.max_epochs 1"
    )

    @Option(help: "A configuration file (defaults apply to every missing key); repeat it to layer files, later ones winning.")
    var config: [String] = []

    @Option(name: .customLong("ckpt-path"), help: "Resume: last, best, or a checkpoint path.")
    var ckptPath: String?

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    @Argument(parsing: .allUnrecognized, help: "Overrides such as --trainer.max_epochs 1.")
    var overrides: [String] = []

    func run() throws {
        try runReportingErrors {
            let configuration = try ConfigurationLoader.load(paths: config, overrides: try ConfigurationLoader.parseOverrides(overrides))
            if configuration.trainer.strategy != "single" {
                try MPILauncher.relaunchIfNeeded(devices: configuration.trainer.devices)
            }
            let summary = try FineTuneRun(configuration).fit(ckptPath: ckptPath)
            guard MPICommunicator.world.map({ $0.rank == 0 }) ?? true else { return }
            if json { try printJSON(summary); return }
            print("best checkpoint: \(summary.bestModelPath.isEmpty ? "(none saved)" : summary.bestModelPath)")
            if let score = summary.bestModelScore { print("val_loss: \(String(format: "%.4f", score))") }
            print("logs: \(summary.logDirectory)")
        }
    }
}

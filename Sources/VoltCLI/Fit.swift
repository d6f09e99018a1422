import ArgumentParser
import Foundation
import Volt

extension VoltCLI {
    /// `fit`: trains the configured module on the configured data; prints the best checkpoint and its score.
    public struct Fit<Configuration: TrainingConfiguration>: ParsableCommand {
        /// The subcommand's name and help.
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "fit", abstract: "Train the module as the configuration describes.",
                                 discussion: "Any key can be overridden: fit --config c.yaml --trainer.max_epochs 1")
        }

        @OptionGroup var options: ConfigurationOptions

        @Option(name: .customLong("ckpt-path"), help: "Resume: last, best, or a checkpoint path.")
        var ckptPath: String?

        @Flag(help: "Print the summary as one JSON object.")
        var json = false

        /// For the argument parser.
        public init() {}

        /// Loads the configuration, relaunches under mpirun when `trainer.devices` > 1, and fits.
        public func run() throws {
            try VoltCLI.reportingErrors {
                let configuration = try options.load(Configuration.self)
                try VoltCLI.relaunchIfNeeded(for: configuration.trainer)
                let summary = try configuration.fit(ckptPath: ckptPath)
                guard MPICommunicator.world.map({ $0.rank == 0 }) ?? true else { return }
                if json { try VoltCLI.printJSON(summary); return }
                print("best checkpoint: \(summary.bestModelPath.isEmpty ? "(none saved)" : summary.bestModelPath)")
                if let score = summary.bestModelScore { print("\(summary.monitor ?? "score"): \(String(format: "%.4f", score))") }
                print("logs: \(summary.logDirectory)")
            }
        }
    }

    /// Prints `value` as one line of JSON with sorted keys (non-finite numbers as "inf", "-inf", "nan"), as the
    /// `--json` flags of the subcommands do.
    public static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

import ArgumentParser
import Foundation
import Volt

extension VoltCLI {
    /// What `validate`, `test` and `predict` share: the configuration, and the checkpoint whose module they run.
    struct EvaluationOptions: ParsableArguments {
        @OptionGroup var options: ConfigurationOptions

        @Option(name: [.customLong("ckpt-path"), .customLong("ckpt")],
                help: "The checkpoint to run (its saved hyper-parameters build the module); default: the configured module.")
        var ckptPath: String?

        @Flag(help: "Print the metrics as one JSON object.")
        var json = false

        /// The configuration, its module (rebuilt from the checkpoint when one is given) and its data module; under
        /// `mpirun` first when the configuration asks for more than one device.
        func prepare<Configuration: TrainingConfiguration>(_ type: Configuration.Type)
            throws -> (Configuration, Configuration.Module, Configuration.Data) {
            let configuration = try options.load(type)
            try VoltCLI.relaunchIfNeeded(for: configuration.trainer)
            let module = try ckptPath.map { try Configuration.Module.load(from: $0) } ?? configuration.makeModule()
            return (configuration, module, try configuration.makeDataModule(for: module))
        }

        /// Runs the validation or test loop and prints its metrics.
        func evaluate<Configuration: TrainingConfiguration>(_ type: Configuration.Type, test: Bool) throws {
            try VoltCLI.reportingErrors {
                let (configuration, module, data) = try prepare(type)
                let trainer = try configuration.makeTrainer(callbacks: [])
                let metrics = test ? try trainer.test(module, datamodule: data) : try trainer.validate(module, datamodule: data)
                guard trainer.strategy.isGlobalZero else { return }
                if json { try VoltCLI.printJSON(metrics) } else {
                    for (k, v) in metrics.sorted(by: { $0.key < $1.key }) { print("\(k): \(String(format: "%.6f", v))") }
                }
            }
        }
    }

    /// `validate`: the validation loop.
    public struct Validate<Configuration: TrainingConfiguration>: ParsableCommand {
        /// The subcommand's name and help.
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "validate", abstract: "Run the validation loop (on a checkpoint's weights with --ckpt-path).")
        }
        @OptionGroup var options: EvaluationOptions
        /// For the argument parser.
        public init() {}
        /// Validates and prints the metrics.
        public func run() throws { try options.evaluate(Configuration.self, test: false) }
    }

    /// `test`: the test loop on the data module's held-out split.
    public struct Test<Configuration: TrainingConfiguration>: ParsableCommand {
        /// The subcommand's name and help.
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "test", abstract: "Run the test loop on the held-out test split (on a checkpoint's weights with --ckpt-path).")
        }
        @OptionGroup var options: EvaluationOptions
        /// For the argument parser.
        public init() {}
        /// Tests and prints the metrics.
        public func run() throws { try options.evaluate(Configuration.self, test: true) }
    }

    /// `predict`: the prediction loop over the data module's predict loader, written to an HDF5 file.
    public struct Predict<Configuration: TrainingConfiguration>: ParsableCommand {
        /// The subcommand's name and help.
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "predict", abstract: "Run predictStep over the predict data and write the outputs to an HDF5 file.")
        }
        @OptionGroup var options: EvaluationOptions

        @Option(help: "The HDF5 file the predictions go to (predictions/<index>, one dataset per example).")
        var output = "predictions.h5"

        /// For the argument parser.
        public init() {}

        /// Predicts and writes the file on global rank 0.
        public func run() throws {
            try VoltCLI.reportingErrors {
                let (configuration, module, data) = try options.prepare(Configuration.self)
                let trainer = try configuration.makeTrainer(callbacks: [])
                let predictions = try trainer.predict(module, datamodule: data)
                guard trainer.strategy.isGlobalZero else { return }
                try PredictionFile.write(predictions, to: output)
                if options.json { try VoltCLI.printJSON(["predictions": predictions.count]) } else {
                    print("\(predictions.count) predictions written to \(output)")
                }
            }
        }
    }
}

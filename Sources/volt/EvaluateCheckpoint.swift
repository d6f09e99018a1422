import ArgumentParser
import Foundation
import GenSLM
import Volt

/// Options shared by `volt validate` and `volt test`.
struct EvaluationOptions: ParsableArguments {
    @Option(help: "The configuration file (its data split is used).")
    var config: String?

    @Option(help: "The checkpoint to evaluate.")
    var ckpt: String

    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    @Argument(parsing: .allUnrecognized, help: "Overrides such as --data.batch_size 4.")
    var overrides: [String] = []

    /// Runs the validation loop on the validation part of the configured split, or the test loop on its test part
    /// (the third fraction), with the checkpoint's weights.
    func run(test: Bool) throws {
        try runReportingErrors {
            let configuration = try ConfigurationLoader.load(path: config, overrides: try ConfigurationLoader.parseOverrides(overrides))
            let run = FineTuneRun(configuration)
            let module = try GenSLMModule.load(from: ckpt)
            let data = run.makeDataModule(maxPositions: module.model.configuration.maxPositionEmbeddings)
            try data.setup(stage: test ? .testing : .validating)
            if test && data.splits.count < 3 {
                throw ValidationError("data.split \(configuration.data.split) has no test part: give three fractions, e.g. "
                                      + "--data.split [0.8,0.1,0.1] (the split of the fit this checkpoint came from)")
            }
            let trainer = try run.makeTrainer()
            let metrics = test ? try trainer.test(module, datamodule: data) : try trainer.validate(module, datamodule: data)
            if json { try printJSON(metrics) } else {
                for (k, v) in metrics.sorted(by: { $0.key < $1.key }) { print("\(k): \(String(format: "%.6f", v))") }
            }
        }
    }
}

/// `volt validate`: the validation loop on a checkpoint.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the validation loop on a checkpoint's weights.")
    @OptionGroup var options: EvaluationOptions
    func run() throws { try options.run(test: false) }
}

/// `volt test`: the test loop on a checkpoint.
struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the test loop on the held-out test split (data.split's third fraction) with a checkpoint's weights.")
    @OptionGroup var options: EvaluationOptions
    func run() throws { try options.run(test: true) }
}

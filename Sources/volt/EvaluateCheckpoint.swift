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

    /// Runs the validation (or test) loop of the configured split on the checkpoint's weights.
    func run(test: Bool) throws {
        try runReportingErrors {
            let configuration = try ConfigurationLoader.load(path: config, overrides: try ConfigurationLoader.parseOverrides(overrides))
            let run = FineTuneRun(configuration)
            let module = try GenSLMModule.load(from: ckpt)
            let (dataset, _, val) = try run.makeData(maxPositions: module.model.configuration.maxPositionEmbeddings)
            guard let val else { throw TrainerError.misconfiguration("the data split leaves no validation sequences") }
            let trainer = try run.makeTrainer()
            let loader = dataset.loader(val, batchSize: configuration.data.batchSize)
            let metrics = test ? try trainer.test(module, test: loader) : try trainer.validate(module, val: loader)
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
    static let configuration = CommandConfiguration(abstract: "Run the test loop (on the held-out split) on a checkpoint's weights.")
    @OptionGroup var options: EvaluationOptions
    func run() throws { try options.run(test: true) }
}

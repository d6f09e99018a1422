import ArgumentParser
import Foundation
import VoltApp
import VoltCLI

// `fit`, `validate` and `test` read either configuration layout: `model.family` (gpt_neox, the default, or llama
// and mixtral) picks the type, then VoltCLI's generic command runs it — same options, overrides, --print-config and
// relaunch under mpirun.

/// `volt fit`.
struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", abstract: "Train the module as the configuration describes.",
        discussion: """
            model.family picks the layout: gpt_neox (default) for the GenSLM workflow, llama or mixtral for text \
            fine-tuning. Any key can be overridden: fit --config c.yaml --trainer.max_epochs 1
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("ckpt-path"), help: "Resume: last, best, or a checkpoint path.")
    var ckptPath: String?

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    /// The arguments again, for the generic command of the selected layout.
    var arguments: [String] { passedArguments(options, ckptPath: ckptPath, json: json) }

    func run() throws {
        switch try selectedLayout(options) {
        case .genslm: try VoltCLI.Fit<FineTuneConfiguration>.parse(arguments).run()
        case .text: try VoltCLI.Fit<TextFineTuneConfiguration>.parse(arguments).run()
        }
    }
}

/// What `validate` and `test` take: the configuration options, the checkpoint and `--json`.
struct EvaluationArguments: ParsableArguments {
    @OptionGroup var options: ConfigurationOptions

    @Option(name: [.customLong("ckpt-path"), .customLong("ckpt")],
            help: "The checkpoint to run (its saved hyper-parameters build the module); default: the configured module.")
    var ckptPath: String?

    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    /// The arguments again, for the generic command of the selected layout.
    var arguments: [String] { passedArguments(options, ckptPath: ckptPath, json: json) }
}

/// `volt validate`.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Run the validation loop (on a checkpoint's weights with --ckpt-path).")

    @OptionGroup var evaluation: EvaluationArguments

    func run() throws {
        switch try selectedLayout(evaluation.options) {
        case .genslm: try VoltCLI.Validate<FineTuneConfiguration>.parse(evaluation.arguments).run()
        case .text: try VoltCLI.Validate<TextFineTuneConfiguration>.parse(evaluation.arguments).run()
        }
    }
}

/// `volt test`.
struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Run the test loop on the held-out test split (on a checkpoint's weights with --ckpt-path).")

    @OptionGroup var evaluation: EvaluationArguments

    func run() throws {
        switch try selectedLayout(evaluation.options) {
        case .genslm: try VoltCLI.Test<FineTuneConfiguration>.parse(evaluation.arguments).run()
        case .text: try VoltCLI.Test<TextFineTuneConfiguration>.parse(evaluation.arguments).run()
        }
    }
}

/// `options`, `--ckpt-path` and `--json` as command-line arguments.
func passedArguments(_ options: ConfigurationOptions, ckptPath: String?, json: Bool) -> [String] {
    options.config.flatMap { ["--config", $0] } + (options.printConfig ? ["--print-config"] : [])
        + (ckptPath.map { ["--ckpt-path", $0] } ?? []) + (json ? ["--json"] : []) + options.overrides
}

/// The layout `model.family` selects in the files and overrides of `options` (an error is reported as any other).
func selectedLayout(_ options: ConfigurationOptions) throws -> ConfigurationLayout {
    var layout = ConfigurationLayout.genslm
    try runReportingErrors { layout = try ConfigurationLayout.select(paths: options.config, overrides: try options.parsedOverrides()) }
    return layout
}

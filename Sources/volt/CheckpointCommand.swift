import ArgumentParser
import GenSLM
import Volt

/// `volt checkpoint`: look inside and convert checkpoints.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Inspect or export checkpoints.",
                                                    subcommands: [Inspect.self, Export.self])

    /// `volt checkpoint inspect PATH`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a checkpoint's tree: attributes, groups and datasets.")
        @Argument(help: "Checkpoint (.h5).") var path: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            try runReportingErrors {
                let summary = try Checkpoint.inspect(path)
                if json { try printJSON(summary) } else { print(summary) }
            }
        }
    }

    /// `volt checkpoint export PATH --safetensors OUT`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a checkpoint's weights as model.safetensors + config.json, loadable by transformers.")
        @Argument(help: "Checkpoint (.h5).") var path: String
        @Option(help: "Output folder.") var safetensors: String

        func run() throws {
            try runReportingErrors {
                let module = try GenSLMModule.load(from: path)
                try module.model.exportSafetensors(to: safetensors)
                print("wrote \(safetensors)/model.safetensors and \(safetensors)/config.json")
            }
        }
    }
}

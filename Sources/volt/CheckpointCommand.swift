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

    /// `volt checkpoint export PATH --safetensors OUT` or `--peft OUT`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a checkpoint's weights as model.safetensors + config.json (transformers), or a LoRA checkpoint's adapter as adapter_config.json + adapter_model.safetensors (peft).")
        @Argument(help: "Checkpoint (.h5).") var path: String
        @Option(help: "Output folder for model.safetensors + config.json (LoRA adapters are merged in).") var safetensors: String?
        @Option(help: "Output folder for a LoRA checkpoint's adapter in PEFT's layout.") var peft: String?

        func validate() throws {
            guard (safetensors == nil) != (peft == nil) else { throw ValidationError("give one of --safetensors or --peft") }
        }

        func run() throws {
            try runReportingErrors {
                if let peft {
                    try LoRACheckpointExport.exportAdapter(checkpoint: path, to: peft)
                    print("wrote \(peft)/adapter_config.json and \(peft)/adapter_model.safetensors")
                } else if let safetensors {
                    try LoRACheckpointExport.exportMerged(checkpoint: path, to: safetensors)
                    print("wrote \(safetensors)/model.safetensors and \(safetensors)/config.json")
                }
            }
        }
    }
}

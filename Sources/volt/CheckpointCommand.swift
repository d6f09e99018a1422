import ArgumentParser
import GenSLM
import TextLM
import Volt

/// `volt checkpoint`: look inside and convert checkpoints.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Inspect, export or import checkpoints.",
                                                    subcommands: [Inspect.self, Export.self, Import.self, Consolidate.self])

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
                // A text model's checkpoint (LLaMA/Mixtral) or a GenSLM one, told apart by the module it saved.
                let isText = try Checkpoint.read(from: path, weightsOnly: true).metadata.module == CausalLMCheckpointExport.moduleName
                if let peft {
                    if isText { try CausalLMCheckpointExport.exportAdapter(checkpoint: path, to: peft) }
                    else { try LoRACheckpointExport.exportAdapter(checkpoint: path, to: peft) }
                    print("wrote \(peft)/adapter_config.json and \(peft)/adapter_model.safetensors")
                } else if let safetensors {
                    if isText { try CausalLMCheckpointExport.exportMerged(checkpoint: path, to: safetensors) }
                    else { try LoRACheckpointExport.exportMerged(checkpoint: path, to: safetensors) }
                    print("wrote \(safetensors)/model.safetensors and \(safetensors)/config.json")
                }
            }
        }
    }

    /// `volt checkpoint consolidate FOLDER --out FILE.h5`.
    struct Consolidate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge a sharded checkpoint (a folder of rank<r>.h5 files written under zero1–3) into one "
                + "ordinary checkpoint file, which resumes on any number of ranks.")
        @Argument(help: "The sharded checkpoint folder.") var folder: String
        @Option(help: "The checkpoint file to write (.h5).") var out: String

        func run() throws {
            try runReportingErrors {
                guard ShardedCheckpoint.isSharded(folder) else { throw CheckpointError.notFound(path: ShardedCheckpoint.shardPath(folder, rank: 0)) }
                try ShardedCheckpoint.consolidate(folder).write(to: out)
                print("wrote \(out)")
            }
        }
    }

    /// `volt checkpoint import SOURCE --out DEST.h5 [--preset NAME | --config config.json]`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import published weights (GenSLM's Lightning .pt, a state_dict .pth/.ckpt, .safetensors, or a "
                + "transformers folder) as a weights-only Volt checkpoint.",
            discussion: "Names are mapped (model./module./_orig_mod. prefixes stripped, lm_head.weight → embed_out.weight, "
                + "constant buffers dropped); any other missing, unexpected or wrongly shaped tensor is an error. "
                + "The model's sizes come from the tensor shapes; heads and rotary settings from the preset whose shapes "
                + "match, a folder's config.json, --preset or --config. Pickles are read without Python and only "
                + "tensor-rebuilding globals are accepted. See Sources/GenSLM/GenSLM.docc/published-models.md.")
        @Argument(help: "A .pt/.pth/.ckpt/.bin file, a .safetensors file, or a transformers model folder.") var source: String
        @Option(help: "The Volt checkpoint to write (.h5).") var out: String
        @Option(help: "The preset the weights are (genslm-tiny, genslm-25m, genslm-250m, genslm-2.5b).") var preset: String?
        @Option(help: "A transformers config.json describing the model.") var config: String?
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            if preset != nil && config != nil { throw ValidationError("give --preset or --config, not both") }
        }

        func run() throws {
            try runReportingErrors {
                let shape: CheckpointImporter.ShapeSource = if let preset { .preset(try GenSLMPreset.named(preset)) }
                    else if let config { .configFile(config) } else { .infer }
                let report = try CheckpointImporter.importCheckpoint(source, to: out, shape: shape)
                if json { try printJSON(report) } else { print(report) }
            }
        }
    }
}

import Foundation
import Volt
import VoltInterop
import VoltTensor

/// Published weights read into Volt: the model configuration they imply and the state dict, strictly checked.
public struct ImportedWeights {
    /// The model configuration.
    public var configuration: GPTNeoXConfiguration
    /// The preset whose configuration this is exactly, if any.
    public var preset: GenSLMPreset?
    /// The model's tensors in model order, named as Volt's (transformers') state dict, in their stored types.
    public var stateDict: [(name: String, tensor: Tensor)]
    /// What was read.
    public var report: CheckpointImportReport

    /// The state dict by name.
    public var stateDictionary: [String: Tensor] {
        Dictionary(stateDict.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }

    /// The ``GenSLMModule`` hyper-parameters that build this model: `preset` when the configuration is a
    /// preset's, otherwise `model_config` (the architecture).
    public var hyperparameters: GenSLMModule.Hyperparameters {
        var h = GenSLMModule.Hyperparameters()
        if let preset { h.model.preset = preset } else { h.model.modelConfig = configuration }
        return h
    }
}

/// Imports published GPT-NeoX weights (GenSLM's Lightning `.pt`, a `state_dict` `.pth`, safetensors, a
/// transformers folder) into Volt: names mapped by ``StateDictMapping``, the configuration taken from the
/// matching preset, `--preset` or a `config.json` and checked against the tensor shapes, every tensor accounted
/// for. See <doc:published-models>.
public enum CheckpointImporter {
    /// Where the model's heads and rotary settings (which shapes cannot tell) come from.
    public enum ShapeSource: Sendable {
        /// A transformers folder's `config.json`, else the preset whose sizes the tensor shapes match.
        case infer
        /// This preset.
        case preset(GenSLMPreset)
        /// This transformers `config.json`.
        case configFile(String)
        /// This configuration (an existing model's).
        case configuration(GPTNeoXConfiguration)
    }

    /// Reads the weights at `path`; only the model's tensors' data is read, each storage once.
    ///
    /// - Throws: `TorchImportError` (`.configurationMismatch` when no configuration fits, `.stateDictMismatch`
    ///   listing every missing, unexpected and wrongly shaped tensor, …) or `SafetensorsError`.
    public static func read(_ path: String, shape: ShapeSource = .infer) throws -> ImportedWeights {
        let plan = try ImportPlan(path, shape: shape)
        let tensors = Dictionary(try plan.source.read(Set(plan.canonicalNames.keys)).compactMap { raw, tensor in
            plan.canonicalNames[raw].map { ($0, tensor) }
        }, uniquingKeysWith: { a, _ in a })
        let stateDict = plan.configuration.parameterShapes.compactMap { name, _ in
            tensors[name].map { (name: name, tensor: $0) }
        }
        return ImportedWeights(configuration: plan.configuration, preset: plan.preset, stateDict: stateDict,
                               report: plan.report(tensorsImported: stateDict.count))
    }

    /// The model configuration the weights at `path` imply (`config.json`, or the preset their shapes match),
    /// checked against every tensor's name and shape; no tensor data is read.
    ///
    /// - Throws: as ``read(_:shape:)``.
    public static func configuration(of path: String, shape: ShapeSource = .infer) throws -> GPTNeoXConfiguration {
        try ImportPlan(path, shape: shape).configuration
    }

    /// Reads the weights at `source` and writes them as a weights-only Volt checkpoint at `destination`
    /// (atomically), which ``GenSLMModule``'s `load(from:)`, `volt eval` and `volt generate` take. Tensors keep
    /// their stored type (float16 stays float16, bit for bit); the model converts them when it loads them.
    /// Lightning's epoch and global step are carried over.
    ///
    /// - Throws: as ``read(_:shape:)``, and `CheckpointError` when the file cannot be written.
    public static func importCheckpoint(_ source: String, to destination: String, shape: ShapeSource = .infer) throws -> CheckpointImportReport {
        let imported = try read(source, shape: shape)
        let metadata = CheckpointMetadata(epoch: imported.report.lightning?.epoch ?? 0,
                                          globalStep: imported.report.lightning?.globalStep ?? 0,
                                          module: String(describing: GenSLMModule.self),
                                          hyperparameters: try SavedHyperparameters(imported.hyperparameters))
        try Checkpoint(metadata: metadata, stateDict: imported.stateDict).write(to: destination)
        var report = imported.report
        report.output = destination
        return report
    }
}

extension GPTNeoXConfiguration {
    /// The configuration as one JSON object with transformers' key names (sorted keys).
    public var jsonString: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

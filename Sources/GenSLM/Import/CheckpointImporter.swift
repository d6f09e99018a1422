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
        let source = try WeightSource.open(path)
        let listing = source.listing
        var kept: [String: WeightListing] = [:], duplicates: [String] = [], dropped: [String] = []
        for entry in listing {
            guard let key = StateDictMapping.canonicalName(entry.name) else {
                dropped.append(entry.name)
                continue
            }
            if kept[key] != nil { duplicates.append(entry.name) } else { kept[key] = entry }
        }
        let shapes = kept.mapValues(\.shape)
        let (configuration, how) = try resolveConfiguration(shapes, shape: shape, source: source, path: path)
        let d = StateDictMapping.differences(shapes, duplicates: duplicates, configuration: configuration)
        guard d.missing.isEmpty, d.unexpected.isEmpty, d.wrongShape.isEmpty else {
            throw TorchImportError.stateDictMismatch(path: path, missing: d.missing, unexpected: d.unexpected, wrongShape: d.wrongShape)
        }
        let rawNames = Dictionary(uniqueKeysWithValues: kept.map { ($0.value.name, $0.key) })
        let tensors = Dictionary(try source.read(Set(rawNames.keys)).compactMap { raw, tensor in
            rawNames[raw].map { ($0, tensor) }
        }, uniquingKeysWith: { a, _ in a })
        let stateDict = configuration.parameterShapes.compactMap { name, _ in tensors[name].map { (name: name, tensor: $0) } }
        let preset = GenSLMPreset.allCases.first { $0.configuration == configuration }
        let report = CheckpointImportReport(
            source: path, format: source.format, files: source.files, output: nil, tensorsRead: listing.count,
            tensorsImported: stateDict.count, droppedBuffers: dropped,
            dtypes: Dictionary(kept.values.map { ($0.dtype, 1) }, uniquingKeysWith: +),
            parameterCount: configuration.parameterCount, configuration: configuration, preset: preset?.rawValue,
            configurationSource: how, lightning: source.lightning)
        return ImportedWeights(configuration: configuration, preset: preset, stateDict: stateDict, report: report)
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

    private static func resolveConfiguration(_ shapes: [String: [Int]], shape: ShapeSource, source: WeightSource,
                                             path: String) throws(TorchImportError) -> (GPTNeoXConfiguration, String) {
        let inferred = StateDictMapping.inferSizes(shapes)
        let configuration: GPTNeoXConfiguration, how: String
        switch shape {
        case let .configuration(given): (configuration, how) = (given, "the model's own configuration")
        case let .preset(preset): (configuration, how) = (preset.configuration, "preset \(preset.rawValue) (--preset)")
        case let .configFile(file): (configuration, how) = (try GPTNeoXConfiguration(transformersConfigAt: file), file)
        case .infer:
            if let file = source.configPath, let config = try source.transformersConfiguration() {
                (configuration, how) = (try GPTNeoXConfiguration(transformers: config), file)
            } else if let inferred, let preset = GenSLMPreset.allCases.first(where: { StateDictMapping.InferredSizes($0.configuration) == inferred }) {
                (configuration, how) = (preset.configuration, "preset \(preset.rawValue) (matched by the tensor shapes)")
            } else {
                let presets = GenSLMPreset.allCases.map { "\($0.rawValue) (\(StateDictMapping.InferredSizes($0.configuration)))" }
                throw .configurationMismatch(path: path, reason: (inferred.map { "the tensor shapes (\($0)) match no preset" }
                    ?? "the shapes cannot be read: gpt_neox.embed_in.weight or layer 0's mlp.dense_h_to_4h.weight is missing")
                    + "; presets: \(presets.joined(separator: "; ")). Pass --preset NAME or --config config.json "
                    + "(the model's transformers configuration), which also give the heads and rotary settings")
            }
        }
        if let inferred, StateDictMapping.InferredSizes(configuration) != inferred {
            throw .configurationMismatch(path: path, reason: "the tensor shapes say \(inferred), but \(how) says "
                                         + "\(StateDictMapping.InferredSizes(configuration))")
        }
        return (configuration, how)
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

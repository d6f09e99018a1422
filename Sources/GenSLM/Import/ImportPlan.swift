import Foundation
import VoltInterop
import VoltTensor

/// An import checked before any tensor data is read: the source, the configuration its tensors fit, and which
/// stored tensor is which model tensor.
struct ImportPlan {
    /// The opened source.
    let source: WeightSource
    /// The model configuration.
    let configuration: GPTNeoXConfiguration
    /// Where the configuration came from, for the report.
    let configurationSource: String
    /// Stored name → model (transformers) name, for every tensor the model takes.
    let canonicalNames: [String: String]
    /// Stored names that are constant buffers, not read.
    let dropped: [String]
    /// Stored type of each tensor the model takes, counted.
    let dtypes: [String: Int]
    private let path: String

    /// Opens `path`, maps its names, resolves the configuration and checks every tensor against it.
    ///
    /// - Throws: `TorchImportError` (`.configurationMismatch`, `.stateDictMismatch`, …) or `SafetensorsError`.
    init(_ path: String, shape: CheckpointImporter.ShapeSource) throws {
        let source = try WeightSource.open(path)
        var kept: [String: WeightListing] = [:], duplicates: [String] = [], dropped: [String] = []
        for entry in source.listing {
            guard let key = StateDictMapping.canonicalName(entry.name) else {
                dropped.append(entry.name)
                continue
            }
            if kept[key] != nil { duplicates.append(entry.name) } else { kept[key] = entry }
        }
        let shapes = kept.mapValues(\.shape)
        let (configuration, how) = try Self.resolveConfiguration(shapes, shape: shape, source: source, path: path)
        let d = StateDictMapping.differences(shapes, duplicates: duplicates, configuration: configuration)
        guard d.missing.isEmpty, d.unexpected.isEmpty, d.wrongShape.isEmpty else {
            throw TorchImportError.stateDictMismatch(path: path, missing: d.missing, unexpected: d.unexpected, wrongShape: d.wrongShape)
        }
        self.source = source
        self.configuration = configuration
        configurationSource = how
        canonicalNames = Dictionary(uniqueKeysWithValues: kept.map { ($0.value.name, $0.key) })
        self.dropped = dropped
        dtypes = Dictionary(kept.values.map { ($0.dtype, 1) }, uniquingKeysWith: +)
        self.path = path
    }

    /// The preset whose configuration this is exactly, if any.
    var preset: GenSLMPreset? { GenSLMPreset.allCases.first { $0.configuration == configuration } }

    /// What was read, with `tensorsImported` model tensors.
    func report(tensorsImported: Int) -> CheckpointImportReport {
        CheckpointImportReport(
            source: path, format: source.format, files: source.files, output: nil, tensorsRead: source.listing.count,
            tensorsImported: tensorsImported, droppedBuffers: dropped, dtypes: dtypes,
            parameterCount: configuration.parameterCount, configuration: configuration, preset: preset?.rawValue,
            configurationSource: configurationSource, lightning: source.lightning)
    }

    private static func resolveConfiguration(_ shapes: [String: [Int]], shape: CheckpointImporter.ShapeSource, source: WeightSource,
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

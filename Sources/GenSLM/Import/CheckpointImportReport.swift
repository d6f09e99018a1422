import VoltInterop

/// What `volt checkpoint import` read and wrote.
public struct CheckpointImportReport: Codable, Sendable {
    /// The source path.
    public var source: String
    /// `torch`, `safetensors` or `transformers-folder`.
    public var format: String
    /// The files read.
    public var files: [String]
    /// The Volt checkpoint written, if any.
    public var output: String?
    /// Tensors in the source.
    public var tensorsRead: Int
    /// Tensors imported (the model's parameters).
    public var tensorsImported: Int
    /// Constant buffers dropped, as named in the source.
    public var droppedBuffers: [String]
    /// Imported tensors per stored element type (`float16`: 28).
    public var dtypes: [String: Int]
    /// Parameters imported.
    public var parameterCount: Int
    /// The model configuration.
    public var configuration: GPTNeoXConfiguration
    /// The preset whose configuration it is, if any.
    public var preset: String?
    /// Where the heads and rotary settings came from.
    public var configurationSource: String
    /// Lightning's epoch, step and version, for a Lightning checkpoint.
    public var lightning: LightningMetadata?

    enum CodingKeys: String, CodingKey {
        case source, format, files, output, tensorsRead = "tensors_read", tensorsImported = "tensors_imported"
        case droppedBuffers = "dropped_buffers", dtypes, parameterCount = "parameter_count", configuration, preset
        case configurationSource = "configuration_source", lightning
    }
}

extension CheckpointImportReport: CustomStringConvertible {
    public var description: String {
        let c = configuration
        var lines = [
            "source: \(source) (\(format)\(files.count > 1 ? ", \(files.count) files" : ""))",
            "tensors: \(tensorsRead) read, \(tensorsImported) imported, \(droppedBuffers.count) constant buffers dropped",
            "dtypes: " + dtypes.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", "),
            "parameters: \(parameterCount)",
            "model: vocab \(c.vocabSize), hidden \(c.hiddenSize), layers \(c.numHiddenLayers), heads \(c.numAttentionHeads), "
                + "intermediate \(c.intermediateSize), positions \(c.maxPositionEmbeddings), rotary_pct \(c.rotaryPct)",
            "configuration: \(configurationSource)",
        ]
        if let l = lightning {
            lines.append("lightning: epoch \(l.epoch.map(String.init) ?? "-"), global_step \(l.globalStep.map(String.init) ?? "-")"
                         + (l.lightningVersion.map { ", version \($0)" } ?? ""))
        }
        if let output { lines.append("wrote \(output)") }
        return lines.joined(separator: "\n")
    }
}

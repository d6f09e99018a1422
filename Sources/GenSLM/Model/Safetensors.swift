import Foundation
import VoltTensor

/// The safetensors format of Hugging Face: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data. `transformers` loads a folder holding
/// `model.safetensors` and `config.json`.
public enum Safetensors {
    /// Writes `tensors` (in order) to `path` as float32 (`F32`), atomically.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], to path: String,
                             metadata: [String: String] = ["format": "pt"]) throws {
        try encode(tensors, metadata: metadata).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The bytes of a safetensors file holding `tensors` (in order) as float32 (`F32`).
    public static func encode(_ tensors: [(name: String, tensor: Tensor)],
                              metadata: [String: String] = ["format": "pt"]) throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        var blobs: [Tensor] = []
        for (name, tensor) in tensors {
            let t = tensor.float32().contiguous()
            let bytes = t.count * 4
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
            blobs.append(t)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // pad the header with spaces, as the reference writer does
        var data = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for t in blobs { data.append(Data(bytes: t.rawPointer, count: t.count * 4)) }
        return data
    }

    /// Reads every tensor of a safetensors file, in file order (F32, F16 and BF16 become float32).
    ///
    /// - Throws: ``SafetensorsError`` naming the file and what is wrong with it.
    public static func read(from path: String) throws -> [(name: String, tensor: Tensor)] {
        let file = try SafetensorsFile(path: path)
        return try file.entries.map { (name: $0.name, tensor: try file.read($0).float32()) }
    }
}

/// A safetensors file that cannot be used.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// The file (path) cannot be opened or read.
    case unreadable(String)
    /// The file (path) is not valid safetensors, with the reason.
    case malformed(String, String)
    /// A tensor of the file (path) has a dtype Volt cannot load.
    case unsupportedType(String, name: String, dtype: String)

    public var description: String {
        switch self {
        case let .unreadable(path): "\(path): cannot read safetensors file"
        case let .malformed(path, detail): "\(path): not a valid safetensors file: \(detail)"
        case let .unsupportedType(path, name, dtype): "\(path): tensor \(name) has unsupported dtype \(dtype)"
        }
    }
}

extension GPTNeoXConfiguration {
    /// transformers' `config.json` for `GPTNeoXForCausalLM`.
    public var transformersConfigJSON: [String: Any] {
        ["architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "vocab_size": vocabSize,
         "hidden_size": hiddenSize, "num_hidden_layers": numHiddenLayers, "num_attention_heads": numAttentionHeads,
         "intermediate_size": intermediateSize, "max_position_embeddings": maxPositionEmbeddings, "rotary_pct": rotaryPct,
         "rotary_emb_base": rotaryEmbBase, "layer_norm_eps": layerNormEps, "hidden_act": "gelu_fast",
         "hidden_dropout": hiddenDropout, "attention_dropout": attentionDropout, "initializer_range": initializerRange,
         "use_parallel_residual": useParallelResidual, "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 0,
         "torch_dtype": "float32"]
    }
}

extension GPTNeoX {
    /// Volt's (and transformers 4's) name for a state-dict key of another transformers version:
    /// transformers 5 calls the output projection `lm_head.weight` where GenSLM's models say `embed_out.weight`.
    public static func canonicalKey(_ name: String) -> String { name == "lm_head.weight" ? "embed_out.weight" : name }

    /// Writes `model.safetensors` and `config.json` into `directory` (created if needed), loadable with
    /// `GPTNeoXForCausalLM.from_pretrained(directory)`.
    public func exportSafetensors(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // LoRA factors are not transformers weights: merge them first (mergeLoRA) to export an adapted model.
        let weights = namedTensors().filter { !$0.0.contains(".lora_A.") && !$0.0.contains(".lora_B.") }
        try Safetensors.write(weights.map { (name: $0.0, tensor: $0.1) }, to: directory + "/model.safetensors")
        let config = try JSONSerialization.data(withJSONObject: configuration.transformersConfigJSON,
                                                options: [.sortedKeys, .prettyPrinted])
        try config.write(to: URL(fileURLWithPath: directory + "/config.json"), options: .atomic)
    }

    /// Loads weights from a safetensors file or a transformers folder (`model.safetensors`, sharded or not),
    /// strictly: a missing, unexpected or wrongly shaped tensor is an error listing each (the importer's rules:
    /// `model.`/`module.` prefixes stripped, constant buffers such as `attention.bias` dropped).
    ///
    /// - Throws: ``TorchImportError`` or ``SafetensorsError``; the model is unchanged on error.
    public func importSafetensors(from path: String) throws {
        let imported = try CheckpointImporter.read(path, shape: .configuration(configuration))
        try load(stateDict: imported.stateDictionary)
    }
}

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

    /// Reads every tensor of a safetensors file (F32, F16 and BF16 become float32).
    ///
    /// - Throws: ``SafetensorsError`` naming the file and what is wrong with it.
    public static func read(from path: String) throws -> [(name: String, tensor: Tensor)] {
        guard let data = FileManager.default.contents(atPath: path) else { throw SafetensorsError.unreadable(path) }
        guard data.count >= 8 else { throw SafetensorsError.malformed(path, "shorter than its 8-byte header length") }
        let length = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard length > 0, 8 + length <= data.count,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any] else {
            throw SafetensorsError.malformed(path, "unreadable JSON header")
        }
        let body = data.subdata(in: (8 + length)..<data.count)
        var result: [(name: String, tensor: Tensor, begin: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let range = entry["data_offsets"] as? [Int], range.count == 2,
                  range[0] >= 0, range[0] <= range[1], range[1] <= body.count else {
                throw SafetensorsError.malformed(path, "bad entry for \(name)")
            }
            let count = shape.reduce(1, *)
            let storage: DType
            switch dtype {
            case "F32": storage = .float32
            case "F16": storage = .float16
            case "BF16": storage = .bfloat16
            default: throw SafetensorsError.unsupportedType(path, name: name, dtype: dtype)
            }
            guard range[1] - range[0] == count * storage.byteSize else {
                throw SafetensorsError.malformed(path, "\(name): \(range[1] - range[0]) bytes for shape \(shape) \(dtype)")
            }
            let t = Tensor(uninitializedShape: shape, dtype: storage)
            body.withUnsafeBytes { raw in
                t.rawPointer.copyMemory(from: raw.baseAddress! + range[0], byteCount: range[1] - range[0])
            }
            result.append((name, t.float32(), range[0]))
        }
        return result.sorted { $0.begin < $1.begin }.map { ($0.name, $0.tensor) }
    }
}

/// A safetensors file that cannot be used.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case malformed(String, String)
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

    /// Loads weights from a safetensors file or a folder holding `model.safetensors` (transformers' layout).
    public func importSafetensors(from path: String) throws {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let file = isDirectory.boolValue ? path + "/model.safetensors" : path
        let tensors = try Safetensors.read(from: file)
        // transformers may also store non-parameter buffers (attention masks, rotary inv_freq): skip those.
        let own = Set(namedTensors().map(\.0))
        let renamed = tensors.map { (name: Self.canonicalKey($0.name), tensor: $0.tensor) }
        try load(stateDict: Dictionary(renamed.filter { own.contains($0.name) }.map { ($0.name, $0.tensor) },
                                       uniquingKeysWith: { a, _ in a }))
    }
}

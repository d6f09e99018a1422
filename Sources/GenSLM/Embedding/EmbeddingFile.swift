import VoltInterop
import Foundation
import Volt
import VoltHDF5
import VoltTensor

// The layout (h5py reads it):
//
// /                          attrs format="volt-embeddings", format_version=1, pooling, layers (int64 array),
//                            truncated, checkpoint, config (transformers config JSON), and each configuration
//                            value under its transformers name (hidden_size, num_hidden_layers, …)
// /embeddings/layer_L        mean: float32 [records, hidden]
// /embeddings/layer_L/<i>    none: float32 [tokens, hidden] for record i
// /ids                       FASTA ids, variable-length UTF-8 strings
// /indices                   int64, each record's position in the FASTA file
// /md5                       hex MD5 of each upper-case sequence, UTF-8 strings
// /logits/<i>                with --logits: float32 [tokens, vocabulary] next-codon logits of record i
/// Reads and writes the HDF5 file of ``Embeddings``, in the layout of GenSLM's inference output.
public enum EmbeddingFile {
    /// Writes `embeddings` to `path` atomically (`path.tmp`, fsync, rename).
    ///
    /// - Throws: ``EmbeddingFileError/cannotWrite(path:object:reason:)``.
    public static func write(_ embeddings: Embeddings, to path: String, checkpoint: String = "") throws {
        try DurableFile.writeHDF5(to: path, failure: { EmbeddingFileError.cannotWrite(path: path, object: $0, reason: $1) }) { root in
            let c = embeddings.configuration
            let config = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
            let attributes: [(String, HDF5AttributeValue)] = [
                ("format", .string("volt-embeddings")), ("format_version", .int(1)),
                ("pooling", .string(embeddings.pooling.rawValue)), ("layers", .ints(embeddings.layers.map(Int64.init))),
                ("truncated", .int(Int64(embeddings.truncated))), ("checkpoint", .string(checkpoint)), ("config", .string(config)),
                ("vocab_size", .int(Int64(c.vocabSize))), ("hidden_size", .int(Int64(c.hiddenSize))),
                ("num_hidden_layers", .int(Int64(c.numHiddenLayers))), ("num_attention_heads", .int(Int64(c.numAttentionHeads))),
                ("intermediate_size", .int(Int64(c.intermediateSize))),
                ("max_position_embeddings", .int(Int64(c.maxPositionEmbeddings))), ("rotary_pct", .double(c.rotaryPct)),
                ("rotary_emb_base", .double(c.rotaryEmbBase)), ("layer_norm_eps", .double(c.layerNormEps)),
                ("use_parallel_residual", .int(c.useParallelResidual ? 1 : 0)),
            ]
            for (name, value) in attributes { try root.setAttribute(name, value) }
            let group = try root.createGroup("embeddings")
            for layer in embeddings.layers {
                switch embeddings.pooling {
                case .mean:
                    guard let matrix = embeddings.pooled[layer] else { continue }
                    _ = try group.createDataset("layer_\(layer)", tensor: matrix)
                case .none:
                    let records = try group.createGroup("layer_\(layer)")
                    for (i, matrix) in (embeddings.tokens[layer] ?? []).enumerated() {
                        _ = try records.createDataset(String(embeddings.indices[i]), tensor: matrix)
                    }
                }
            }
            _ = try root.createDataset("ids", strings: embeddings.ids)
            _ = try root.createDataset("indices", int64s: embeddings.indices.map(Int64.init))
            _ = try root.createDataset("md5", strings: embeddings.md5)
            if !embeddings.logits.isEmpty {
                let group = try root.createGroup("logits")
                for (i, matrix) in embeddings.logits.enumerated() { _ = try group.createDataset(String(embeddings.indices[i]), tensor: matrix) }
            }
        }
    }

    /// Reads a file ``write(_:to:checkpoint:)`` wrote.
    ///
    /// - Throws: ``EmbeddingError/malformedFile(file:detail:)`` naming what is missing or wrong.
    public static func read(from path: String) throws -> Embeddings {
        guard FileManager.default.fileExists(atPath: path) else { throw EmbeddingError.malformedFile(file: path, detail: "no such file") }
        return try hdf5Lock.withLock {
            do {
                let root = try HDF5File(opening: path).root()
                guard try root.attribute("format")?.stringValue == "volt-embeddings" else {
                    throw EmbeddingError.malformedFile(file: path, detail: "no format=\"volt-embeddings\" attribute")
                }
                guard let pooling = try root.attribute("pooling")?.stringValue.flatMap(EmbeddingPooling.init(rawValue:)),
                      let config = try root.attribute("config")?.stringValue,
                      let configuration = try? JSONDecoder().decode(GPTNeoXConfiguration.self, from: Data(config.utf8)) else {
                    throw EmbeddingError.malformedFile(file: path, detail: "missing or invalid pooling/config attributes")
                }
                let layers: [Int]
                switch try root.attribute("layers") {
                case let .ints(values)?: layers = values.map { Int($0) }
                case let .int(value)?: layers = [Int(value)]
                default: throw EmbeddingError.malformedFile(file: path, detail: "missing layers attribute")
                }
                let ids = try root.dataset("ids").readStrings()
                let indices = try root.dataset("indices").readWords().map { Int(Int64(bitPattern: $0)) }
                let md5 = try root.dataset("md5").readStrings()
                let group = try root.group("embeddings")
                var pooled: [Int: Tensor] = [:], tokens: [Int: [Tensor]] = [:]
                for layer in layers {
                    switch pooling {
                    case .mean: pooled[layer] = try group.dataset("layer_\(layer)").readTensor()
                    case .none:
                        let records = try group.group("layer_\(layer)")
                        tokens[layer] = try indices.map { try records.dataset(String($0)).readTensor() }
                    }
                }
                let truncated = Int(try root.attribute("truncated")?.intValue ?? 0)
                var logits: [Tensor] = []
                if try root.contains("logits") {
                    let records = try root.group("logits")
                    logits = try indices.map { try records.dataset(String($0)).readTensor() }
                }
                return Embeddings(layers: layers, pooling: pooling, ids: ids, indices: indices, md5: md5, pooled: pooled,
                                  tokens: tokens, logits: logits, configuration: configuration, truncated: truncated)
            } catch let error as HDF5Error {
                throw EmbeddingError.malformedFile(file: path, detail: "\(error)")
            }
        }
    }
}

/// An embedding file that could not be written.
public enum EmbeddingFileError: Error, Equatable, CustomStringConvertible {
    /// Writing `path` failed at `object` (`/` for the file); nothing was left at `path` or its `.tmp`.
    case cannotWrite(path: String, object: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, object, reason):
            "\(path): cannot write embeddings" + (object == "/" ? "" : " (\(object))") + ": \(reason)"
        }
    }
}

import Foundation
import LLaMA
import VoltTensor

/// One case written by scripts/make_llama_fixtures.py: a configuration, transformers' weights, inputs, and its
/// logits, loss and parameter gradients.
struct TransformersFixture {
    let configuration: LlamaConfiguration
    private let index: [String: Entry]
    private let values: [Float]

    struct Entry: Decodable { let shape: [Int]; let offset: Int }

    init(_ name: String) throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        configuration = try JSONDecoder().decode(LlamaConfiguration.self,
                                                 from: Data(contentsOf: folder.appendingPathComponent("config.json")))
        index = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: folder.appendingPathComponent("index.json")))
        let bytes = try Data(contentsOf: folder.appendingPathComponent("tensors.bin"))
        values = bytes.withUnsafeBytes { raw in (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
    }

    func has(_ name: String) -> Bool { index[name] != nil }

    /// The float32 tensor stored as `name`.
    func tensor(_ name: String) -> Tensor {
        guard let entry = index[name] else { fatalError("fixture has no \(name)") }
        let count = entry.shape.reduce(1, *)
        return Tensor(shape: entry.shape, scalars: Array(values[entry.offset..<(entry.offset + count)]))
    }

    /// The tensor stored as `name` as int32 (ids, labels, masks were saved as floats).
    func ids(_ name: String) -> Tensor {
        let t = tensor(name)
        return Tensor(shape: t.shape, indices: t.scalars.map { Int32($0) })
    }

    /// The model's weights: every stored tensor that is not an input, an output or a gradient.
    var stateDict: [String: Tensor] {
        let extra: Set = ["input_ids", "labels", "attention_mask", "logits", "loss", "aux_loss"]
        return Dictionary(uniqueKeysWithValues: index.keys.filter { !extra.contains($0) && !$0.hasPrefix("grad/") }
            .map { ($0, tensor($0)) })
    }

    /// Names of the stored gradients' parameters.
    var gradientNames: [String] { index.keys.filter { $0.hasPrefix("grad/") }.map { String($0.dropFirst(5)) }.sorted() }
}

/// The largest |a − b| over two equally long arrays.
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) elements")
    return zip(a, b).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
}

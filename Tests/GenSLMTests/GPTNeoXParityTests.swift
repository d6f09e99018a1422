import Foundation
import XCTest
import GenSLM
import VoltNN
import VoltTensor

/// GPT-NeoX against `transformers.GPTNeoXForCausalLM` on the same weights (fixture made by
/// scripts/make_neox_fixture.py with torch 2.15 / transformers 5.23; see Fixtures/neox_tiny/NOTES.md).
final class GPTNeoXParityTests: XCTestCase {
    struct Entry: Decodable { let name: String; let shape: [Int]; let file: String; let offset: Int; let nbytes: Int }
    struct Expected: Decodable { let tensors: [Entry]; let loss_A: Double; let loss_B: Double }
    struct Config: Decodable {
        let vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings: Int
    }
    struct Manifest: Decodable {
        let config: Config
        let weights: [Entry]
        let expected: Expected
    }
    struct Inputs: Decodable {
        struct Case: Decodable { let labels: [[Int32]] }
        let input_ids: [[Int32]]
        let attention_mask: [[Float]]
        let cases: [String: Case]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/neox_tiny")

    func tensor(_ e: Entry) throws -> Tensor {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(e.file))
        let values = data.subdata(in: e.offset..<(e.offset + e.nbytes)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return Tensor(shape: e.shape, scalars: values)
    }

    func load() throws -> (GPTNeoX, Manifest, Inputs) {
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: Self.directory.appendingPathComponent("manifest.json")))
        let inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: Self.directory.appendingPathComponent("inputs.json")))
        let c = manifest.config
        let config = GPTNeoXConfiguration(hiddenSize: c.hidden_size, layers: c.num_hidden_layers, heads: c.num_attention_heads,
                                          intermediateSize: c.intermediate_size, maxPositions: c.max_position_embeddings,
                                          vocabSize: c.vocab_size, hiddenDropout: 0, attentionDropout: 0)
        let model = try GPTNeoX(config)
        var state: [String: Tensor] = [:]
        for e in manifest.weights { state[GPTNeoX.canonicalKey(e.name)] = try tensor(e) }
        try model.load(stateDict: state)
        return (model, manifest, inputs)
    }

    func batch(_ inputs: Inputs, case name: String) -> TokenBatch {
        let b = inputs.input_ids.count, t = inputs.input_ids[0].count
        return TokenBatch(inputIds: Tensor(shape: [b, t], indices: inputs.input_ids.flatMap { $0 }),
                          attentionMask: Tensor(shape: [b, t], scalars: inputs.attention_mask.flatMap { $0 }),
                          labels: Tensor(shape: [b, t], indices: inputs.cases[name]!.labels.flatMap { $0 }))
    }

    func testLogitsAndLossMatchTransformers() throws {
        let (model, manifest, inputs) = try load()
        let expected = Dictionary(uniqueKeysWithValues: manifest.expected.tensors.map { ($0.name, $0) })
        let a = batch(inputs, case: "A")
        let logits = try model.logits(a.inputIds, attentionMask: a.attentionMask)
        let reference = try tensor(expected["logits_A"]!)
        let maxDiff = zip(logits.scalars, reference.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(maxDiff, 1e-4, "max |logit difference| \(maxDiff)")
        XCTAssertEqual(Double(try model.loss(a).item()), manifest.expected.loss_A, accuracy: 1e-4)
        XCTAssertEqual(Double(try model.loss(batch(inputs, case: "B")).item()), manifest.expected.loss_B, accuracy: 1e-4,
                       "ignored (-100) labels leave the mean")
    }

    func testEveryParameterGradientMatchesTransformers() throws {
        let (model, manifest, inputs) = try load()
        try model.loss(batch(inputs, case: "A")).backward()
        let expected = Dictionary(uniqueKeysWithValues: manifest.expected.tensors.map {
            ($0.name.hasPrefix("grad:") ? "grad:" + GPTNeoX.canonicalKey(String($0.name.dropFirst(5))) : $0.name, $0)
        })
        for (name, parameter) in model.namedParameters() {
            guard let entry = expected["grad:" + name] else { XCTFail("fixture lacks the gradient of \(name)"); continue }
            let reference = try tensor(entry).scalars, got = parameter.grad!.scalars
            let scale = reference.map(abs).max() ?? 1
            let worst = zip(got, reference).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-3 * scale + 1e-6, "\(name): max difference \(worst) against max |grad| \(scale)")
        }
    }
}

import Foundation
import XCTest
import GenSLM
import VoltInterop
import VoltNN
import VoltTensor

/// LoRA adapters against peft 0.21.2 (fixture made by scripts/make_peft_fixture.py over the neox_tiny weights:
/// LoraConfig(r=8, lora_alpha=32, lora_dropout=0.1, target_modules=["query_key_value"]) with random lora_B).
final class PEFTInteropTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let peftFolder = fixtures.appendingPathComponent("peft_lora").path

    /// The neox_tiny model with transformers' weights (as GPTNeoXParityTests loads it), in eval mode.
    func baseModel() throws -> (GPTNeoX, Tensor) {
        typealias Parity = GPTNeoXParityTests
        let directory = Self.fixtures.appendingPathComponent("neox_tiny")
        let manifest = try JSONDecoder().decode(Parity.Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        let inputs = try JSONDecoder().decode(Parity.Inputs.self, from: Data(contentsOf: directory.appendingPathComponent("inputs.json")))
        let c = manifest.config
        let model = try GPTNeoX(GPTNeoXConfiguration(hiddenSize: c.hidden_size, layers: c.num_hidden_layers, heads: c.num_attention_heads,
                                                     intermediateSize: c.intermediate_size, maxPositions: c.max_position_embeddings,
                                                     vocabSize: c.vocab_size, hiddenDropout: 0, attentionDropout: 0))
        let weights = try Data(contentsOf: directory.appendingPathComponent("weights.bin"))
        var state: [String: Tensor] = [:]
        for e in manifest.weights {
            let values = weights.subdata(in: e.offset..<(e.offset + e.nbytes)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            state[GPTNeoX.canonicalKey(e.name)] = Tensor(shape: e.shape, scalars: values)
        }
        try model.load(stateDict: state)
        let ids = inputs.input_ids
        return (model, Tensor(shape: [ids.count, ids[0].count], indices: ids.flatMap { $0 }))
    }

    func peftLogits() throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.peftFolder + "/expected_logits.bin"))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    /// The base with peft's adapter attached, as Volt reads the folder.
    func adaptedModel() throws -> (GPTNeoX, Tensor, PEFTAdapter) {
        let (model, ids) = try baseModel()
        let adapter = try PEFTAdapter.read(from: Self.peftFolder)
        try model.applyLoRA(adapter.configuration, stream: model.randomStream)
        try adapter.load(into: model, source: Self.peftFolder)
        model.eval()
        return (model, ids, adapter)
    }

    func testVoltLoadsPeftAdapterAndMatchesPeftLogits() throws {
        let (model, ids, adapter) = try adaptedModel()
        XCTAssertEqual(adapter.configuration, LoRAConfiguration(r: 8, alpha: 32, dropout: 0.1, targetModules: .names(["query_key_value"])))
        XCTAssertEqual(adapter.tensors.map(\.name).sorted(), [
            "gpt_neox.layers.0.attention.query_key_value.lora_A.weight", "gpt_neox.layers.0.attention.query_key_value.lora_B.weight",
            "gpt_neox.layers.1.attention.query_key_value.lora_A.weight", "gpt_neox.layers.1.attention.query_key_value.lora_B.weight",
        ])
        let logits = try model.logits(ids).scalars, expected = try peftLogits()
        let difference = maxDifference(logits, expected)
        XCTAssertLessThan(difference, 1e-4, "max |Volt − peft| logit")
        let (base, _) = try baseModel()
        base.eval()
        XCTAssertGreaterThan(maxDifference(try base.logits(ids).scalars, expected), 0.5, "the adapter matters in this fixture")

        model.mergeLoRA()
        XCTAssertLessThan(maxDifference(try model.logits(ids).scalars, expected), 1e-4, "merged logits equal peft's too")
    }

    /// Volt's export has peft's key names, shapes and config fields; reading it back gives the same model.
    /// With VOLT_PEFT_EXPORT_DIR set, the export (plus volt_logits.bin) is left there for
    /// `python3 scripts/make_peft_fixture.py --check DIR`.
    func testExportedAdapterHasPeftLayoutAndRoundTrips() throws {
        let (model, ids, adapter) = try adaptedModel()
        // Change the adapter (one SGD step on a loss), so the export is Volt's own, not a copy of the fixture.
        model.train()
        let labels = ids
        try model.loss(TokenBatch(inputIds: ids, attentionMask: Tensor.ones(ids.shape), labels: labels)).backward()
        let sgd = SGD(model.parameters, lr: 0.5)
        sgd.step()
        model.eval()
        let logits = try model.logits(ids).scalars
        XCTAssertGreaterThan(maxDifference(logits, try peftLogits()), 1e-3, "the step moved the adapter")

        let directory = ProcessInfo.processInfo.environment["VOLT_PEFT_EXPORT_DIR"]
            ?? NSTemporaryDirectory() + "volt-peft-export-" + UUID().uuidString
        try PEFTAdapter(of: model, configuration: adapter.configuration).write(to: directory)
        let logitData = logits.withUnsafeBufferPointer { Data(buffer: $0) }
        try logitData.write(to: URL(fileURLWithPath: directory + "/volt_logits.bin"))

        // Keys and shapes as peft wrote them.
        func layout(_ folder: String) throws -> [String: [Int]] {
            Dictionary(uniqueKeysWithValues: try Safetensors.read(from: folder + "/adapter_model.safetensors").map { ($0.name, $0.tensor.shape) })
        }
        XCTAssertEqual(try layout(directory), try layout(Self.peftFolder))
        XCTAssertEqual(try layout(directory)["base_model.model.gpt_neox.layers.0.attention.query_key_value.lora_A.weight"], [8, 64])
        // Config fields as peft wrote them.
        func config(_ folder: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/adapter_config.json"))) as? [String: Any] ?? [:]
        }
        let ours = try config(directory), theirs = try config(Self.peftFolder)
        for key in ["peft_type", "r", "lora_alpha", "lora_dropout", "target_modules", "bias", "use_rslora", "fan_in_fan_out",
                    "use_dora", "inference_mode", "init_lora_weights"] {
            XCTAssertEqual(ours[key].map { "\($0)" }, theirs[key].map { "\($0)" }, key)
        }

        // Read back into a fresh base: the same logits.
        let (fresh, _) = try baseModel()
        let reread = try PEFTAdapter.read(from: directory)
        XCTAssertEqual(reread.configuration, adapter.configuration)
        try fresh.applyLoRA(reread.configuration)
        try reread.load(into: fresh, source: directory)
        fresh.eval()
        XCTAssertEqual(try fresh.logits(ids).scalars, logits)
    }

    func testUnsupportedOrDamagedAdaptersFailWithTheirFile() throws {
        let directory = NSTemporaryDirectory() + "volt-peft-bad-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.peftFolder + "/adapter_model.safetensors", toPath: directory + "/adapter_model.safetensors")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.peftFolder + "/adapter_config.json"))) as! [String: Any]
        config["use_dora"] = true
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: directory + "/adapter_config.json"))
        XCTAssertThrowsError(try PEFTAdapter.read(from: directory)) {
            XCTAssertEqual($0 as? PEFTAdapterError, .unsupported(file: directory + "/adapter_config.json", key: "use_dora", value: "true"))
        }
        try Data("{".utf8).write(to: URL(fileURLWithPath: directory + "/adapter_config.json"))
        XCTAssertThrowsError(try PEFTAdapter.read(from: directory)) { error in
            guard case let .invalid(file, _)? = error as? PEFTAdapterError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, directory + "/adapter_config.json")
        }
        // An adapter of rank 8 does not load into adapters of rank 4.
        let (model, _) = try baseModel()
        try model.applyLoRA(LoRAConfiguration(r: 4, alpha: 8))
        XCTAssertThrowsError(try PEFTAdapter.read(from: Self.peftFolder).load(into: model, source: Self.peftFolder))
    }
}

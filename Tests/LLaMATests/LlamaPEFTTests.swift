import Foundation
import LLaMA
import VoltInterop
import VoltNN
import VoltTensor
import XCTest

/// LoRA on LLaMA's q_proj and v_proj in PEFT's folder format, against peft 0.21.2 (Fixtures/io/peft_lora:
/// LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]) over llama_sharded, lora_B random).
final class LlamaPEFTTests: XCTestCase {
    /// The fixture's base model carrying peft's adapter.
    func adaptedModel() throws -> (LlamaForCausalLM, PEFTAdapter) {
        let model = try LlamaForCausalLM.load(from: IOFixture.path("llama_sharded"))
        let adapter = try PEFTAdapter.read(from: IOFixture.path("peft_lora"))
        try model.applyLoRA(adapter.configuration)
        try adapter.load(into: model, source: IOFixture.path("peft_lora"))
        model.eval()
        return (model, adapter)
    }

    func testPeftAdapterGivesPeftLogits() throws {
        let (model, adapter) = try adaptedModel()
        XCTAssertEqual(adapter.configuration.targetModules, .names(["q_proj", "v_proj"]))
        XCTAssertEqual(model.loraLayers().map(\.0), ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                                                     "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"])
        let (ids, logits) = try IOFixture.expected("peft_expected.safetensors")
        let adapted = try model.forward(ids).logits
        XCTAssertLessThan(maxAbsDifference(adapted.scalars, logits.scalars), LlamaWeightsTests.tolerance)
        // The adapter matters: the base model's logits are far from peft's.
        let (_, base) = try IOFixture.expected("llama_expected.safetensors")
        XCTAssertGreaterThan(maxAbsDifference(base.scalars, logits.scalars), 100 * LlamaWeightsTests.tolerance)
    }

    func testExportedAdapterHasPeftsKeysAndConfiguration() throws {
        let (model, adapter) = try adaptedModel()
        let folder = try IOFixture.temporaryFolder()
        try PEFTAdapter(of: model, configuration: adapter.configuration).write(to: folder)
        XCTAssertEqual(try IOFixture.header([folder + "/adapter_model.safetensors"]),
                       try IOFixture.header([IOFixture.path("peft_lora/adapter_model.safetensors")]))
        let ours = try TransformersConfiguration(contentsOf: folder + "/adapter_config.json")
        let peft = try TransformersConfiguration(contentsOf: IOFixture.path("peft_lora/adapter_config.json"))
        for key in ours.values.keys.sorted() where key != "target_modules" {
            XCTAssertEqual(ours[key], peft[key], key)
        }
        guard case let .array(targets)? = ours["target_modules"], case let .array(peftTargets)? = peft["target_modules"] else {
            return XCTFail("target_modules is not a list")
        }
        XCTAssertEqual(Set(targets.map { "\($0)" }), Set(peftTargets.map { "\($0)" }))
        let reread = try PEFTAdapter.read(from: folder)
        XCTAssertEqual(reread.configuration, adapter.configuration)

        if let export = ProcessInfo.processInfo.environment["VOLT_LLAMA_EXPORT_DIR"] {
            let target = export + "/peft"
            try? FileManager.default.removeItem(atPath: target)
            try PEFTAdapter(of: model, configuration: adapter.configuration).write(to: target)
            let (ids, _) = try IOFixture.expected("peft_expected.safetensors")
            try IOFixture.writeVoltLogits(try model.forward(ids).logits, inputIds: ids, to: target)
        }
    }

    func testAdapterOfAnotherRankIsRefusedNamingTheFile() throws {
        let model = try LlamaForCausalLM.load(from: IOFixture.path("llama_sharded"))
        var configuration = try PEFTAdapter.read(from: IOFixture.path("peft_lora")).configuration
        configuration.targetModules = .names(["q_proj"])
        try model.applyLoRA(configuration)
        let source = IOFixture.path("peft_lora")
        XCTAssertThrowsError(try PEFTAdapter.read(from: source).load(into: model, source: source)) { error in
            guard case let .invalid(file, _)? = error as? PEFTAdapterError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, source)
        }
    }
}

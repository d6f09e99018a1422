import Foundation
import LLaMA
import VoltInterop
import VoltTensor
import XCTest

/// Weights read from and written to the files transformers 5.25 writes (Fixtures/io, made by
/// scripts/make_llama_io_fixtures.py): logits against transformers' to 1e-4, the written folder against
/// `save_pretrained`'s.
final class LlamaWeightsTests: XCTestCase {
    static let tolerance: Float = 1e-4

    func logitsError(_ model: LlamaForCausalLM, _ expected: String) throws -> Float {
        let (ids, logits) = try IOFixture.expected(expected)
        return maxAbsDifference(try model.forward(ids).logits.scalars, logits.scalars)
    }

    func testShardedSafetensorsFolderGivesTransformersLogits() throws {
        let model = try LlamaForCausalLM.load(from: IOFixture.path("llama_sharded"))
        XCTAssertEqual(model.configuration.numKeyValueHeads, 2)
        XCTAssertLessThan(try logitsError(model, "llama_expected.safetensors"), Self.tolerance)
    }

    func testTorchSaveBinGivesTransformersLogits() throws {
        let model = try LlamaForCausalLM.load(from: IOFixture.path("llama_bin"))
        XCTAssertLessThan(try logitsError(model, "llama_expected.safetensors"), Self.tolerance)
        let file = try LlamaForCausalLM.load(from: IOFixture.path("llama_bin/pytorch_model.bin"),
                                             configuration: model.configuration)
        XCTAssertLessThan(try logitsError(file, "llama_expected.safetensors"), Self.tolerance)
    }

    func testMixtralHubLayoutAndTransformers5LayoutGiveTransformersLogits() throws {
        let hub = try LlamaForCausalLM.load(from: IOFixture.path("mixtral_hub"))
        XCTAssertEqual(hub.configuration.numLocalExperts, 4)
        XCTAssertLessThan(try logitsError(hub, "mixtral_expected.safetensors"), Self.tolerance)
        let fused = try LlamaForCausalLM.load(from: IOFixture.path("mixtral_fused.safetensors"), configuration: hub.configuration)
        XCTAssertLessThan(try logitsError(fused, "mixtral_expected.safetensors"), Self.tolerance)
    }

    func testFolderWithoutConfigurationNeedsOne() throws {
        let folder = try IOFixture.temporaryFolder()
        try FileManager.default.copyItem(atPath: IOFixture.path("llama_bin/pytorch_model.bin"), toPath: folder + "/pytorch_model.bin")
        XCTAssertThrowsError(try LlamaForCausalLM.load(from: folder)) {
            XCTAssertEqual($0 as? LlamaWeightsError, .missingConfiguration(path: folder))
        }
    }

    /// A copy of the sharded folder's tensors, edited, as one model.safetensors beside its config.json.
    func editedFolder(_ edit: (inout [(name: String, tensor: Tensor)]) -> Void) throws -> String {
        var tensors = try IOFixture.safetensorsFiles(in: IOFixture.path("llama_sharded")).flatMap { try Safetensors.read(from: $0) }
        edit(&tensors)
        let folder = try IOFixture.temporaryFolder()
        try Safetensors.write(tensors, to: folder + "/model.safetensors")
        try FileManager.default.copyItem(atPath: IOFixture.path("llama_sharded/config.json"), toPath: folder + "/config.json")
        return folder
    }

    func testStrictReadingNamesTheFileAndTheKey() throws {
        let key = "model.layers.1.self_attn.k_proj.weight"
        let missing = try editedFolder { $0.removeAll { $0.name == key } }
        XCTAssertThrowsError(try LlamaForCausalLM.load(from: missing)) {
            XCTAssertEqual($0 as? LlamaWeightsError, .missingTensors(source: missing, keys: [key]))
        }
        let extra = try editedFolder { $0.append((name: "model.layers.1.self_attn.k_norm.weight", tensor: Tensor.zeros([8]))) }
        XCTAssertThrowsError(try LlamaForCausalLM.load(from: extra)) {
            XCTAssertEqual($0 as? LlamaWeightsError, .unexpectedTensors(file: extra + "/model.safetensors",
                                                                        keys: ["model.layers.1.self_attn.k_norm.weight"]))
        }
        let reshaped = try editedFolder { tensors in
            let i = tensors.firstIndex { $0.name == key }!
            tensors[i].tensor = tensors[i].tensor.reshaped([8, 64])
        }
        XCTAssertThrowsError(try LlamaForCausalLM.load(from: reshaped)) {
            XCTAssertEqual($0 as? LlamaWeightsError, .shapeMismatch(file: reshaped + "/model.safetensors", key: key,
                                                                   expected: [16, 32], found: [8, 64]))
        }
        let wrapped = try editedFolder { tensors in tensors = tensors.map { (name: "module." + $0.name, tensor: $0.tensor) } }
        XCTAssertLessThan(try logitsError(LlamaForCausalLM.load(from: wrapped), "llama_expected.safetensors"), Self.tolerance)
    }

    func testMixtralMissingExpertIsNamedAsTheHubNamesIt() throws {
        let folder = try IOFixture.temporaryFolder()
        var tensors = try Safetensors.read(from: IOFixture.path("mixtral_hub/model.safetensors"))
        tensors.removeAll { $0.name == "model.layers.0.block_sparse_moe.experts.2.w3.weight" }
        try Safetensors.write(tensors, to: folder + "/model.safetensors")
        try FileManager.default.copyItem(atPath: IOFixture.path("mixtral_hub/config.json"), toPath: folder + "/config.json")
        XCTAssertThrowsError(try LlamaForCausalLM.load(from: folder)) {
            XCTAssertEqual($0 as? LlamaWeightsError,
                           .missingTensors(source: folder, keys: ["model.layers.0.block_sparse_moe.experts.2.w3.weight"]))
        }
    }

    /// Saves `model`, checks the folder against transformers' `reference` folder, reloads it, and returns it.
    func checkSaved(_ model: LlamaForCausalLM, reference: String, expected: String, exportName: String) throws {
        let folder = try IOFixture.temporaryFolder()
        try model.save(to: folder)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["config.json", "model.safetensors"])
        XCTAssertEqual(try IOFixture.header([folder + "/model.safetensors"]),
                       try IOFixture.header(IOFixture.safetensorsFiles(in: reference)), "names, dtypes, shapes")
        let names = try SafetensorsFile(path: folder + "/model.safetensors").entries.map(\.name)
        XCTAssertEqual(names, names.sorted(), "data in name order, as safetensors writes it")
        var transformersKeys = try IOFixture.jsonKeys(reference + "/config.json")
        transformersKeys.remove("transformers_version")
        XCTAssertEqual(try IOFixture.jsonKeys(folder + "/config.json"), transformersKeys)
        let reloaded = try LlamaForCausalLM.load(from: folder)
        XCTAssertEqual(reloaded.configuration, model.configuration)
        XCTAssertLessThan(try logitsError(reloaded, expected), Self.tolerance)
        if let export = ProcessInfo.processInfo.environment["VOLT_LLAMA_EXPORT_DIR"] {
            let target = export + "/" + exportName
            try? FileManager.default.removeItem(atPath: target)
            try reloaded.save(to: target)
            let (ids, _) = try IOFixture.expected(expected)
            try IOFixture.writeVoltLogits(try reloaded.forward(ids).logits, inputIds: ids, to: target)
        }
    }

    func testSavedLlamaFolderHasSavePretrainedLayout() throws {
        try checkSaved(try LlamaForCausalLM.load(from: IOFixture.path("llama_bin")), reference: IOFixture.path("llama_sharded"),
                       expected: "llama_expected.safetensors", exportName: "llama")
    }

    func testSavedMixtralFolderHasSavePretrainedHubLayout() throws {
        let hub = try LlamaForCausalLM.load(from: IOFixture.path("mixtral_hub"))
        let fused = try LlamaForCausalLM.load(from: IOFixture.path("mixtral_fused.safetensors"), configuration: hub.configuration)
        try checkSaved(fused, reference: IOFixture.path("mixtral_hub"), expected: "mixtral_expected.safetensors",
                       exportName: "mixtral")
    }

    func testSavedConfigurationKeepsTheSourcesTokenIds() throws {
        let folder = try IOFixture.temporaryFolder()
        try FileManager.default.copyItem(atPath: IOFixture.path("llama_bin/pytorch_model.bin"), toPath: folder + "/pytorch_model.bin")
        var config = try TransformersConfiguration(contentsOf: IOFixture.path("llama_bin/config.json"))
        config["bos_token_id"] = 50
        config["torch_dtype"] = "bfloat16"
        try config.write(to: folder + "/config.json")
        let saved = folder + "/saved"
        try LlamaForCausalLM.load(from: folder).save(to: saved)
        let written = try TransformersConfiguration(contentsOf: saved + "/config.json")
        XCTAssertEqual(written["bos_token_id"], 50)
        XCTAssertNil(written["torch_dtype"])
        XCTAssertEqual(written["dtype"], "float32")
        let text = try String(contentsOfFile: saved + "/config.json", encoding: .utf8)
        XCTAssertTrue(text.contains(#""attention_dropout": 0.0,"#), "floats stay floats, as transformers 5 requires")
    }
}

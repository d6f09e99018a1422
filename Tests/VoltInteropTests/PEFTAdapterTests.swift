import Foundation
import VoltInterop
import VoltNN
import VoltTensor
import XCTest

/// PEFT's folder format, model-agnostic: keys with `base_model.model.`, adapted layers' own weights under
/// `base_layer`, and a model's renamed modules translated both ways.
final class PEFTAdapterTests: XCTestCase {
    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "peft-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func testRenamedModulesAreWrittenUnderTransformersNamesAndReadBack() throws {
        let names = PEFTModuleNames(renames: ["embed_out": "lm_head"])
        let configuration = LoRAConfiguration(r: 2, alpha: 4, targetModules: .names(["dense"]), modulesToSave: ["embed_out"])
        let tensors: [(name: String, tensor: Tensor)] = [
            (name: "layers.0.dense.lora_A.weight", tensor: Tensor.zeros([2, 3])),
            (name: "layers.0.dense.lora_B.weight", tensor: Tensor.zeros([3, 2])),
            (name: "layers.0.dense.bias", tensor: Tensor.zeros([3])),
            (name: "embed_out.weight", tensor: Tensor.zeros([5, 3])),
        ]
        let directory = try folder()
        try PEFTAdapter(configuration: configuration, tensors: tensors, moduleNames: names).write(to: directory)
        let keys = try SafetensorsFile(path: directory + "/adapter_model.safetensors").entries.map(\.name).sorted()
        XCTAssertEqual(keys, ["base_model.model.layers.0.dense.base_layer.bias", "base_model.model.layers.0.dense.lora_A.weight",
                              "base_model.model.layers.0.dense.lora_B.weight", "base_model.model.lm_head.weight"])
        let config = try TransformersConfiguration(contentsOf: directory + "/adapter_config.json")
        XCTAssertEqual(config["modules_to_save"], ["lm_head"])

        let reread = try PEFTAdapter.read(from: directory, moduleNames: names)
        XCTAssertEqual(reread.configuration, configuration)
        XCTAssertEqual(Set(reread.tensors.map(\.name)), Set(tensors.map(\.name)))
        let plain = try PEFTAdapter.read(from: directory)
        XCTAssertEqual(plain.configuration.modulesToSave, ["lm_head"])
        XCTAssertTrue(plain.tensors.contains { $0.name == "lm_head.weight" })
    }

    func testMissingConfigurationIsNamed() throws {
        let directory = try folder()
        XCTAssertThrowsError(try PEFTAdapter.read(from: directory)) {
            XCTAssertEqual($0 as? PEFTAdapterError, .unreadable(file: directory + "/adapter_config.json", reason: "no such file"))
        }
    }
}

import Foundation
import XCTest
import GenSLM
import Volt
import VoltInterop
import VoltNN
import VoltTensor

/// A PEFT base built for bf16 straight in bfloat16 is, bit for bit, the float32 build stored in bfloat16 — from a
/// random initialisation, safetensors (float32 or bfloat16) or a Volt checkpoint — and trains to the same losses.
final class BFloat16BaseTests: XCTestCase {
    let lora = LoRAConfiguration(r: 8, alpha: 32, dropout: 0.1, targetModules: .names(["query_key_value"]))

    func hyperparameters(base: String, lora: LoRAConfiguration? = nil) -> GenSLMModule.Hyperparameters {
        var h = GenSLMModule.Hyperparameters()
        h.model.initialization = base
        h.peft = .lora(lora ?? self.lora)
        return h
    }

    /// Today's path: a float32 build whose frozen weights `onFitStart` stores in bfloat16.
    func convertedBuild(_ h: GenSLMModule.Hyperparameters) throws -> GenSLMModule {
        let module = try GenSLMModule.starting(from: h)
        module.model.storeFrozenWeights(as: .bfloat16)
        return module
    }

    func assertBitwiseEqual(_ a: GPTNeoX, _ b: GPTNeoX, file: StaticString = #filePath, line: UInt = #line) {
        let x = a.namedTensors(), y = b.namedTensors()
        XCTAssertEqual(x.map(\.0), y.map(\.0), file: file, line: line)
        for ((name, s), (_, t)) in zip(x, y) {
            XCTAssertEqual(s.dtype, t.dtype, name, file: file, line: line)
            XCTAssertEqual(s.requiresGrad, t.requiresGrad, name, file: file, line: line)
            XCTAssertEqual(s.float32().scalars.map(\.bitPattern), t.float32().scalars.map(\.bitPattern), name, file: file, line: line)
        }
    }

    /// Three AdamW steps under bf16 autocast with gradient checkpointing, as the benchmark takes them.
    func losses(_ module: GenSLMModule) throws -> [Float] {
        let model = module.model
        model.gradientCheckpointing = true
        let plugin = makePrecisionPlugin(.bf16)
        let optimizer = AdamW(model.parameters, lr: 1e-2)
        let ids: [Int32] = (0..<48).map { Int32(5 + ($0 * 7) % 60) }
        let batch = TokenBatch(inputIds: Tensor(shape: [2, 24], indices: ids), attentionMask: Tensor.ones([2, 24]),
                               labels: Tensor(shape: [2, 24], indices: ids))
        var losses: [Float] = []
        for _ in 0..<3 {
            let loss = try withAutocast(plugin.autocast) { () throws -> Tensor in
                let loss = try model.loss(batch)
                plugin.backward(loss)
                return loss
            }
            losses.append(loss.scalars[0])
            optimizer.step()
            optimizer.zeroGrad()
        }
        return losses
    }

    func testRandomBaseBuiltInBFloat16IsTheConvertedFloat32BuildAndTrainsToTheSameLosses() throws {
        let h = hyperparameters(base: "random")
        let native = try GenSLMModule(hyperparameters: h, precision: .bf16)
        XCTAssertEqual(native.model.gptNeox.layers[0].mlp.denseHTo4h.weight.dtype, .bfloat16)
        XCTAssertEqual(native.model.gptNeox.embedIn.weight.dtype, .float32)
        let converted = try convertedBuild(h)
        assertBitwiseEqual(native.model, converted.model)
        let expected = try losses(converted)
        XCTAssertEqual(try losses(native), expected)
        XCTAssertLessThan(expected[2], expected[0], "the adapters train")
    }

    func testFloat32SafetensorsAndCheckpointBasesLoadIntoBFloat16AsConverted() throws {
        let folder = NSTemporaryDirectory() + "volt-bf16-base-" + UUID().uuidString
        try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 3).exportSafetensors(to: folder)
        let checkpoint = folder + "/base" + ModelCheckpoint.fileExtension
        try CheckpointImporter.importCheckpoint(folder, to: checkpoint)
        for base in [folder, checkpoint] {
            let h = hyperparameters(base: base)
            let native = try GenSLMModule.starting(from: h, precision: .bf16)
            XCTAssertEqual(native.model.gptNeox.layers[1].attention.dense.weight.dtype, .bfloat16, base)
            let converted = try convertedBuild(h)
            XCTAssertEqual(native.base, converted.base)
            assertBitwiseEqual(native.model, converted.model)
            XCTAssertEqual(try losses(native), try losses(converted), base)
        }
    }

    func testBFloat16SafetensorsLoadTensorByTensorBitForBit() throws {
        let path = TorchImportTests.fixture("bf16_module.safetensors")
        let configuration = try GPTNeoXConfiguration(transformersConfigAt: TorchImportTests.config)
        let model = try GPTNeoX(configuration, frozenWeightDType: .bfloat16)
        try CheckpointImporter.load(path, into: model)
        let read = try CheckpointImporter.read(path, shape: .configuration(configuration)).stateDictionary
        for (name, tensor) in model.namedTensors() {
            let stored = try XCTUnwrap(read[name], name)
            XCTAssertEqual(stored.dtype, .bfloat16, name)
            XCTAssertEqual(tensor.float32().scalars.map(\.bitPattern), stored.float32().scalars.map(\.bitPattern), name)
        }
    }

    func testABaseThatDoesNotFitIsRefusedBeforeAnyTensorIsRead() throws {
        let folder = NSTemporaryDirectory() + "volt-bf16-small-" + UUID().uuidString
        try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 3).exportSafetensors(to: folder)
        var other = GenSLMPreset.tiny.configuration
        other.numHiddenLayers += 1
        let model = try GPTNeoX(other, frozenWeightDType: .bfloat16)
        let before = model.gptNeox.layers[0].attention.dense.weight.float32().scalars
        XCTAssertThrowsError(try CheckpointImporter.load(folder, into: model)) {
            guard case .configurationMismatch? = $0 as? TorchImportError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(model.gptNeox.layers[0].attention.dense.weight.float32().scalars, before, "left as it was")
    }

    func testACheckpointThatDoesNotFitIsRefusedBeforeAnyTensorIsCopied() throws {
        let folder = NSTemporaryDirectory() + "volt-bf16-h5-" + UUID().uuidString
        try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 3).exportSafetensors(to: folder)
        let checkpoint = folder + "/base" + ModelCheckpoint.fileExtension
        try CheckpointImporter.importCheckpoint(folder, to: checkpoint)
        var other = GenSLMPreset.tiny.configuration
        other.numHiddenLayers += 1
        let model = try GPTNeoX(other, frozenWeightDType: .bfloat16)
        let before = model.gptNeox.layers[0].attention.dense.weight.float32().scalars
        XCTAssertThrowsError(try Checkpoint.loadStateDict(from: checkpoint, into: model)) {
            guard case let .keyMismatch(missing, unexpected)? = $0 as? ModuleError else { return XCTFail("\($0)") }
            XCTAssertTrue(missing.allSatisfy { $0.hasPrefix("gpt_neox.layers.2.") } && !missing.isEmpty, "\(missing)")
            XCTAssertEqual(unexpected, [])
        }
        XCTAssertEqual(model.gptNeox.layers[0].attention.dense.weight.float32().scalars, before, "left as it was")
        try Checkpoint.loadStateDict(from: checkpoint, into: model, strict: false)
        XCTAssertEqual(model.gptNeox.layers[0].attention.dense.weight.float32().scalars,
                       try Checkpoint.read(from: checkpoint).stateDictionary["gpt_neox.layers.0.attention.dense.weight"]?
                           .to(.bfloat16).float32().scalars, "rounded as it is copied in")
    }

    /// `modules_to_save` trains whole modules: the base is built in float32, and only its frozen weights convert.
    func testModulesToSaveKeepTheFloat32Build() throws {
        var saving = lora
        saving.modulesToSave = ["embed_out"]
        let h = hyperparameters(base: "random", lora: saving)
        XCTAssertEqual(GenSLMModule.frozenWeightDType(h, precision: .bf16), .float32)
        XCTAssertEqual(GenSLMModule.frozenWeightDType(hyperparameters(base: "random"), precision: .bf16), .bfloat16)
        XCTAssertEqual(GenSLMModule.frozenWeightDType(hyperparameters(base: "random"), precision: .fp16), .float32)
        let module = try GenSLMModule(hyperparameters: h, precision: .bf16)
        XCTAssertEqual(module.model.embedOut.weight.dtype, .float32)
        XCTAssertTrue(module.model.embedOut.weight.requiresGrad)
    }
}

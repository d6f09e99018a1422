import Foundation
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltInterop
import VoltNN
import VoltTensor

/// `volt fit` with `peft:` (LoRA) and with 8-bit AdamW on the tiny rabies workflow.
final class LoRAWorkflowTests: XCTestCase {
    func configuration(root: String) -> FineTuneConfiguration {
        var c = FineTuneConfiguration()
        c.data.path = FineTuneWorkflowTests.rabies
        c.data.numWorkers = 1
        c.data.maxLength = 48
        c.module.lr = 1e-3
        c.trainer.maxEpochs = 1
        c.trainer.defaultRootDir = root
        c.trainer.enableProgressBar = false
        c.trainer.limitTrainBatches = 30
        c.trainer.limitValBatches = 3
        c.trainer.numSanityValSteps = 0
        c.trainer.loggers = []
        var best = ModelCheckpointConfiguration()
        best.dirpath = root + "/best"
        best.monitor = "val_loss"
        var last = ModelCheckpointConfiguration()
        last.dirpath = root + "/checkpoints"
        last.saveTopK = 0
        last.saveLast = true
        last.everyNTrainSteps = 1
        c.trainer.callbacks = [.modelCheckpoint(best), .modelCheckpoint(last)]
        return c
    }

    func loraConfiguration(root: String, base: String) -> FineTuneConfiguration {
        var c = configuration(root: root)
        c.model.initialization = base
        c.peft = .lora(LoRAConfiguration(r: 8, alpha: 32, dropout: 0.1, targetModules: .names(["query_key_value"])))
        return c
    }

    /// A genslm-tiny base written as transformers' folder.
    func writeBase(seed: UInt64) throws -> String {
        let folder = NSTemporaryDirectory() + "volt-lora-base-" + UUID().uuidString
        try GPTNeoX(GenSLMPreset.tiny.configuration, seed: seed).exportSafetensors(to: folder)
        return folder
    }

    func temporaryRoot() -> String { NSTemporaryDirectory() + "volt-lora-" + UUID().uuidString }

    func testPeftSectionDecodesFromYAMLAndRejectsUnknownKeys() throws {
        let path = NSTemporaryDirectory() + "volt-peft-\(UUID().uuidString).yaml"
        try """
        peft: {type: lora, r: 8, alpha: 32, dropout: 0.1, target_modules: [query_key_value], bias: none, modules_to_save: []}
        module: {optimizer: adamw8bit}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let c = try FineTuneConfiguration.load(path: path)
        XCTAssertEqual(c.hyperparameters.lora, LoRAConfiguration(r: 8, alpha: 32, dropout: 0.1, targetModules: .names(["query_key_value"])))
        XCTAssertEqual(c.module.optimizer, .adamw8bit)
        let pattern = try FineTuneConfiguration.load(path: path, overrides: [("peft.target_modules", #"".*\\.dense""#), ("peft.use_rslora", "true")])
        XCTAssertEqual(pattern.hyperparameters.lora?.targetModules, .pattern(#".*\.dense"#))
        XCTAssertEqual(pattern.hyperparameters.lora?.useRSLoRA, true)
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: path, overrides: [("peft.rank", "4")])) {
            guard case let .unknownKey(_, key, allowed)? = $0 as? ConfigurationError else { return XCTFail("\($0)") }
            XCTAssertEqual(key, "peft.rank")
            XCTAssertTrue(allowed.contains("target_modules"))
        }
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: path, overrides: [("peft.bias", "some")]))
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: path, overrides: [("peft.type", "prefix")])) {
            XCTAssertTrue("\($0)".contains("peft.type") && "\($0)".contains("lora, prompt_tuning"), "\($0)")
        }
        var bad = c
        bad.model.adapter = PEFTInteropTests.peftFolder
        XCTAssertThrowsError(try FineTuneRun(bad).makeModule(), "model.adapter brings its own configuration")
    }

    /// A LoRA fit writes checkpoints that hold the adapters, their optimizer state and the loop state, and the
    /// base by path + SHA-256; resuming continues bit for bit; a changed base is refused; the adapter exports.
    func testLoRAFitCheckpointsAdaptersOnlyResumesAndRefusesAnotherBase() throws {
        let base = try writeBase(seed: 5)
        let reference = temporaryRoot()
        let full = try FineTuneRun(loraConfiguration(root: reference, base: base)).fit()
        XCTAssertEqual(full.globalStep, 3)
        let last = try Checkpoint.read(from: reference + "/checkpoints/last.h5")
        let names = last.stateDict.map(\.name)
        XCTAssertEqual(names, (0..<2).flatMap { i in ["lora_A", "lora_B"].map { "gpt_neox.layers.\(i).attention.query_key_value.\($0).weight" } })
        XCTAssertEqual(Set(last.optimizers[0].tensors.keys), Set(names), "optimizer state for the adapters only")
        XCTAssertEqual(last.loops["global_step"], 3)
        let saved = try last.metadata.hyperparameters.decode(GenSLMModule.Hyperparameters.self)
        XCTAssertEqual(saved.model.initSHA256, try FileDigest.sha256(ofFile: base + "/model.safetensors"))
        XCTAssertEqual(saved.model.initialization, base)
        XCTAssertTrue(last.stateDict.contains { $0.name.hasSuffix("lora_B.weight") && $0.tensor.scalars.contains { $0 != 0 } }, "B trained")

        // Rebuilt from the checkpoint: base from the file, adapters from the checkpoint.
        let module = try GenSLMModule.load(from: reference + "/checkpoints/last.h5")
        let loaded = Dictionary(uniqueKeysWithValues: module.model.namedTensors())
        for (name, tensor) in last.stateDict { XCTAssertEqual(loaded[name]?.scalars, tensor.scalars, name) }
        let baseModel = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 5)
        XCTAssertEqual(loaded["gpt_neox.layers.0.mlp.dense_h_to_4h.weight"]?.scalars,
                       baseModel.gptNeox.layers[0].mlp.denseHTo4h.weight.scalars, "frozen base as the file holds it")

        // Stopped after one step and resumed: the same adapters as the uninterrupted run.
        let root = temporaryRoot()
        var first = loraConfiguration(root: root, base: base)
        first.trainer.maxSteps = 1
        XCTAssertEqual(try FineTuneRun(first).fit().globalStep, 1)
        let resumed = try FineTuneRun(loraConfiguration(root: root, base: base)).fit(ckptPath: "last")
        XCTAssertEqual(resumed.globalStep, 3)
        let end = try Checkpoint.read(from: root + "/checkpoints/last.h5").stateDict
        XCTAssertEqual(end.map { $0.tensor.scalars }, last.stateDict.map { $0.tensor.scalars }, "bit-for-bit equal")

        // Export as a PEFT folder, straight from the checkpoint.
        let exported = NSTemporaryDirectory() + "volt-lora-export-" + UUID().uuidString
        try LoRACheckpointExport.exportAdapter(checkpoint: reference + "/checkpoints/last.h5", to: exported)
        let adapter = try PEFTAdapter.read(from: exported)
        XCTAssertEqual(adapter.configuration, LoRAConfiguration(r: 8, alpha: 32, dropout: 0.1, targetModules: .names(["query_key_value"])))
        XCTAssertEqual(adapter.tensors.map { $0.tensor.scalars }, last.stateDict.map { $0.tensor.scalars })

        // The exported folder as `model.adapter` over the same base: the adapters start from it.
        var fromFolder = configuration(root: temporaryRoot())
        fromFolder.model.initialization = base
        fromFolder.model.adapter = exported
        let attached = try FineTuneRun(fromFolder).makeModule()
        XCTAssertEqual(attached.lora, adapter.configuration)
        let attachedTensors = Dictionary(uniqueKeysWithValues: attached.model.namedParameters())
        for (name, tensor) in last.stateDict { XCTAssertEqual(attachedTensors[name]?.scalars, tensor.scalars, name) }

        // Another base under the same path: refused on resume.
        try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 6).exportSafetensors(to: base)
        XCTAssertThrowsError(try FineTuneRun(loraConfiguration(root: root, base: base)).fit(ckptPath: "last")) {
            guard case .mismatch? = $0 as? BaseWeightsError else { return XCTFail("\($0)") }
        }
    }

    /// The adapters' dropout draws from the model's stream, so gradient checkpointing replays the same masks.
    func testLoRADropoutUnderGradientCheckpointingGivesTheSameGradients() throws {
        let model = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 2)
        try model.applyLoRA(LoRAConfiguration(r: 4, alpha: 8, dropout: 0.3, targetModules: .names(["query_key_value", "dense"])))
        var g = RandomGenerator(seed: 4)
        for (_, layer) in model.loraLayers() { layer.loraB!.weight.assign(Tensor.randn(layer.loraB!.weight.shape, std: 0.1, generator: &g)) }
        let ids: [Int32] = (0..<24).map { Int32(5 + $0 * 7 % 60) }
        let batch = TokenBatch(inputIds: Tensor(shape: [2, 12], indices: ids), attentionMask: Tensor.ones([2, 12]),
                               labels: Tensor(shape: [2, 12], indices: ids))
        func gradients(checkpointing: Bool) throws -> [[Float]] {
            model.gradientCheckpointing = checkpointing
            model.randomStream.generator = RandomGenerator(seed: 77)
            for p in model.parameters { p.grad = nil }
            try model.loss(batch).backward()
            return model.parameters.map { $0.grad!.scalars }
        }
        XCTAssertEqual(try gradients(checkpointing: true), try gradients(checkpointing: false))
    }

    /// In a bf16 LoRA run the frozen base weights are held in bfloat16 — built so, before the fit starts.
    func testBF16LoRARunStoresFrozenWeightsInBFloat16() throws {
        var c = loraConfiguration(root: temporaryRoot(), base: "random")
        c.trainer.precision = .bf16
        let run = FineTuneRun(c)
        let module = try run.makeModule()
        XCTAssertEqual(module.base, .random(preset: "genslm-tiny", seed: 42))
        XCTAssertEqual(module.model.gptNeox.layers[1].mlp.dense4hToH.weight.dtype, .bfloat16, "built in bfloat16")
        try module.onFitStart(try run.makeTrainer())
        XCTAssertEqual(module.model.gptNeox.layers[0].attention.queryKeyValue.weight.dtype, .bfloat16)
        XCTAssertEqual(module.model.gptNeox.layers[0].attention.queryKeyValue.loraA?.weight.dtype, .float32)
        XCTAssertEqual(module.model.embedOut.weight.dtype, .bfloat16)
    }

    /// Full fine-tuning of genslm-tiny with 8-bit AdamW ends within 1 % of AdamW's validation loss, and a run
    /// stopped after 1 of 3 steps and resumed from its checkpoint ends bit for bit where the uninterrupted one does.
    func testAdamW8bitTracksAdamWAndResumesExactly() throws {
        func fit(_ optimizer: GenSLMModule.OptimizerName, maxSteps: Int = -1, root: String, resume: Bool = false) throws -> FitSummary {
            var c = configuration(root: root)
            c.module.optimizer = optimizer
            c.module.weightDecay = 0.01
            c.trainer.limitTrainBatches = 30
            c.trainer.maxSteps = maxSteps
            return try FineTuneRun(c).fit(ckptPath: resume ? "last" : nil)
        }
        let adamW = try fit(.adamw, root: temporaryRoot())
        let reference = temporaryRoot()
        let eight = try fit(.adamw8bit, root: reference)
        XCTAssertEqual(eight.globalStep, 3)
        XCTAssertEqual(eight.bestModelScore!, adamW.bestModelScore!, accuracy: 0.01 * adamW.bestModelScore!)
        let state = try Checkpoint.read(from: reference + "/checkpoints/last.h5").optimizers[0]
        XCTAssertEqual(state.type, "AdamW8bit")
        XCTAssertNotNil(state.tensors["gpt_neox.layers.0.mlp.dense_h_to_4h.weight"]?["state1"], "8-bit moments in the file")

        let root = temporaryRoot()
        XCTAssertEqual(try fit(.adamw8bit, maxSteps: 1, root: root).globalStep, 1)
        XCTAssertEqual(try fit(.adamw8bit, root: root, resume: true).globalStep, 3)
        let a = try Checkpoint.read(from: root + "/checkpoints/last.h5", weightsOnly: true).stateDict.map { $0.tensor.scalars }
        let b = try Checkpoint.read(from: reference + "/checkpoints/last.h5", weightsOnly: true).stateDict.map { $0.tensor.scalars }
        XCTAssertEqual(a, b, "bit-for-bit equal to the uninterrupted run")
    }
}

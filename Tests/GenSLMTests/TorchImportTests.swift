import Foundation
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltInterop
import VoltTensor

/// Importing published weights into GPT-NeoX against fixtures written by torch 2.15 / transformers 5.24
/// (scripts/make_torch_checkpoint_fixtures.py, kept with the readers' tests in Tests/VoltInteropTests): a
/// GenSLM-style Lightning `.pt` in float16 with constant buffers, a plain float32 `.pth`, a sharded safetensors
/// folder, a bfloat16 safetensors file. The readers themselves (hostile pickles, damaged zips) are tested there.
final class TorchImportTests: XCTestCase {
    struct Expected: Decodable {
        let versions: [String: String]
        let input_ids: [Int32]
        let shape: [Int]
        let logits_float32, logits_float16, logits_bfloat16: [Double]
        let embed_in_float16_bits: [UInt16]
        let counts: [Int64]
        let flags: [Bool]
        let parameter_count: Int
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VoltInteropTests/Fixtures/torch_import").path
    static func fixture(_ name: String) -> String { directory + "/" + name }
    static let config = fixture("config.json")

    func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixture("expected.json"))))
    }

    func temporaryPath(_ name: String) -> String { NSTemporaryDirectory() + "volt-import-\(UUID().uuidString)-" + name }

    /// Largest |Volt − transformers| over the logits of the fixture's input.
    func maxLogitDifference(_ model: GPTNeoX, _ reference: [Double]) throws -> Double {
        let e = try expected()
        model.eval()
        let logits = try model.logits(Tensor(shape: [2, 12], indices: e.input_ids)).float32().scalars
        XCTAssertEqual(logits.count, reference.count)
        let difference = zip(logits, reference).map { abs(Double($0) - $1) }.max() ?? .infinity
        print("max |Δlogits| vs transformers \(e.versions["transformers"] ?? "?"): \(difference)")
        return difference
    }

    func model(_ imported: ImportedWeights) throws -> GPTNeoX {
        let model = try GPTNeoX(imported.configuration)
        try model.load(stateDict: imported.stateDictionary)
        return model
    }

    // MARK: Each format against transformers

    func testLightningCheckpointImportsToAVoltCheckpointWhoseLogitsMatchTransformers() throws {
        let out = temporaryPath("lightning.h5")
        let report = try CheckpointImporter.importCheckpoint(Self.fixture("lightning.pt"), to: out, shape: .configFile(Self.config))
        XCTAssertEqual(report.format, "torch")
        XCTAssertEqual(report.tensorsRead, 28 + 2 * 3)
        XCTAssertEqual(report.tensorsImported, 28)
        XCTAssertEqual(report.droppedBuffers.count, 6)
        XCTAssertTrue(report.droppedBuffers.contains("model.gpt_neox.layers.1.attention.masked_bias"))
        XCTAssertEqual(report.dtypes, ["float16": 28])
        XCTAssertEqual(report.parameterCount, try expected().parameter_count)
        XCTAssertEqual(report.lightning?.epoch, 3)
        XCTAssertEqual(report.lightning?.globalStep, 1234)
        XCTAssertEqual(report.lightning?.lightningVersion, "1.6.5")
        XCTAssertNil(report.preset, "hidden 32 is no preset: the configuration travels as model_config")

        let module = try GenSLMModule.load(from: out)
        XCTAssertNotNil(module.hyperparameters.model.modelConfig)
        XCTAssertEqual(module.model.configuration.hiddenSize, 32)
        XCTAssertEqual(module.model.configuration.numAttentionHeads, 2)
        let difference = try maxLogitDifference(module.model, try expected().logits_float16)
        XCTAssertLessThan(difference, 1e-4, "max |Δlogits| vs transformers (float16 weights) = \(difference)")
        let checkpoint = try Checkpoint.read(from: out, weightsOnly: true)
        XCTAssertEqual(checkpoint.metadata.epoch, 3)
        XCTAssertEqual(checkpoint.metadata.globalStep, 1234)
    }

    func testFloat16StorageValuesSurviveTheImportBitForBit() throws {
        let out = temporaryPath("bits.h5")
        _ = try CheckpointImporter.importCheckpoint(Self.fixture("lightning.pt"), to: out, shape: .configFile(Self.config))
        let stored = try XCTUnwrap(Checkpoint.read(from: out, weightsOnly: true).stateDictionary["gpt_neox.embed_in.weight"])
        XCTAssertEqual(stored.dtype, .float16)
        XCTAssertEqual(stored.shape, [69, 32])
        let contiguous = stored.contiguous()
        let bits = Array(UnsafeBufferPointer(start: contiguous.rawPointer.assumingMemoryBound(to: UInt16.self), count: contiguous.count))
        XCTAssertEqual(bits, try expected().embed_in_float16_bits)
    }

    func testPlainStateDictWithATransposedTensorMatchesTransformers() throws {
        let imported = try CheckpointImporter.read(Self.fixture("plain_state_dict.pth"), shape: .configFile(Self.config))
        XCTAssertEqual(imported.report.dtypes, ["float32": 28])
        XCTAssertNil(imported.report.lightning)
        let difference = try maxLogitDifference(try model(imported), try expected().logits_float32)
        XCTAssertLessThan(difference, 1e-4, "max |Δlogits| = \(difference)")
    }

    func testShardedTransformersFolderUsesItsConfigAndMatchesTransformers() throws {
        let imported = try CheckpointImporter.read(Self.fixture("hf_sharded"))
        XCTAssertEqual(imported.report.format, "transformers-folder")
        XCTAssertEqual(imported.report.files.count, 2)
        XCTAssertEqual(imported.report.configurationSource, Self.fixture("hf_sharded/config.json"))
        XCTAssertEqual(imported.configuration.rotaryPct, 0.25)
        let difference = try maxLogitDifference(try model(imported), try expected().logits_float32)
        XCTAssertLessThan(difference, 1e-4, "max |Δlogits| = \(difference)")
    }

    func testBFloat16SafetensorsWithModulePrefixAndLMHeadMatchesTransformers() throws {
        let imported = try CheckpointImporter.read(Self.fixture("bf16_module.safetensors"), shape: .configFile(Self.config))
        XCTAssertEqual(imported.report.dtypes, ["bfloat16": 28])
        XCTAssertEqual(imported.stateDictionary["embed_out.weight"]?.shape, [69, 32])
        let difference = try maxLogitDifference(try model(imported), try expected().logits_bfloat16)
        XCTAssertLessThan(difference, 1e-4, "max |Δlogits| = \(difference)")
    }

    // MARK: Weights that do not fit

    func testMissingUnexpectedAndWronglyShapedTensorsAreEachListed() throws {
        var tensors = try CheckpointImporter.read(Self.fixture("plain_state_dict.pth"), shape: .configFile(Self.config)).stateDict
        tensors.removeAll { $0.name == "gpt_neox.layers.1.mlp.dense_4h_to_h.bias" }
        if let i = tensors.firstIndex(where: { $0.name == "gpt_neox.layers.0.attention.dense.weight" }) {
            tensors[i].tensor = Tensor.zeros([32, 16])
        }
        tensors.append((name: "model.gpt_neox.extra.weight", tensor: Tensor.zeros([2])))
        let path = temporaryPath("bad.safetensors")
        try Safetensors.write(tensors, to: path)
        XCTAssertThrowsError(try CheckpointImporter.importCheckpoint(path, to: temporaryPath("bad.h5"), shape: .configFile(Self.config))) { error in
            XCTAssertEqual(error as? TorchImportError, .stateDictMismatch(
                path: path, missing: ["gpt_neox.layers.1.mlp.dense_4h_to_h.bias"], unexpected: ["gpt_neox.extra.weight"],
                wrongShape: ["gpt_neox.layers.0.attention.dense.weight [32, 16] ≠ expected [32, 32]"]))
            let text = "\(error)"
            XCTAssertTrue(text.contains("missing (1): gpt_neox.layers.1.mlp.dense_4h_to_h.bias"), text)
        }
    }

    func testShapesOfNoPresetNeedAConfigurationAndAWrongPresetIsRefused() throws {
        let path = Self.fixture("lightning.pt")
        XCTAssertThrowsError(try CheckpointImporter.read(path)) { error in
            guard case let .configurationMismatch(_, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("vocab 69, hidden 32, layers 2, intermediate 128"), reason)
            XCTAssertTrue(reason.contains("--config"), reason)
        }
        XCTAssertThrowsError(try CheckpointImporter.read(path, shape: .preset(.tiny))) { error in
            guard case let .configurationMismatch(_, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("genslm-tiny"), reason)
        }
    }

    func testPresetShapesAreRecognisedWithoutAConfiguration() throws {
        let source = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 7)
        let path = temporaryPath("tiny.safetensors")
        try Safetensors.write(source.namedTensors().map { (name: "model." + $0.0, tensor: $0.1) }, to: path)
        let imported = try CheckpointImporter.read(path)
        XCTAssertEqual(imported.preset, .tiny)
        XCTAssertEqual(imported.hyperparameters.model.preset, .tiny)
        XCTAssertNil(imported.hyperparameters.model.modelConfig)
        XCTAssertTrue(imported.report.configurationSource.contains("matched by the tensor shapes"))
        let other = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 8)
        try other.load(stateDict: imported.stateDictionary)
        XCTAssertEqual(other.namedTensors().map { $0.1.scalars }, source.namedTensors().map { $0.1.scalars })
    }

    // MARK: GPT-NeoX from config.json

    func testGenSLMsTransformers4ConfigurationIsReadAndUnsupportedSettingsAreRefused() throws {
        // GenSLM's published neox_25,290,752.json (transformers 4.21 keys: rotary_pct, rotary_emb_base, *_prob).
        let genslm = """
            {"architectures": ["GPTNeoXForCausalLM"], "hidden_size": 512, "num_attention_heads": 8, "num_hidden_layers": 8,
             "max_position_embeddings": 2048, "attention_probs_dropout_prob": 0.1, "bos_token_id": 0, "eos_token_id": 0,
             "hidden_act": "gelu_fast", "hidden_dropout_prob": 0.1, "initializer_range": 0.02, "intermediate_size": 2048,
             "layer_norm_eps": 1e-05, "model_type": "gpt_neox", "rotary_emb_base": 10000, "rotary_pct": 0.25,
             "tie_word_embeddings": false, "torch_dtype": "float16", "transformers_version": "4.21.1", "use_cache": true,
             "vocab_size": 69}
            """
        let path = temporaryPath("config.json")
        try Data(genslm.utf8).write(to: URL(fileURLWithPath: path))
        let c = try GPTNeoXConfiguration(transformersConfigAt: path)
        var preset = GenSLMPreset.m25.configuration
        preset.hiddenDropout = 0  // transformers ignores the *_prob keys: GPTNeoXConfig's dropouts stay 0
        preset.attentionDropout = 0
        XCTAssertEqual(c, preset)
        for (key, value) in [("hidden_act", "\"gelu\""), ("tie_word_embeddings", "true"), ("model_type", "\"llama\"")] {
            let bad = temporaryPath("bad.json")
            try Data(genslm.replacingOccurrences(of: "\"vocab_size\": 69}", with: "\"vocab_size\": 69, \"\(key)\": \(value)}")
                .replacingOccurrences(of: "\"\(key)\": \"gelu_fast\",", with: "")
                .replacingOccurrences(of: "\"\(key)\": false,", with: "")
                .replacingOccurrences(of: "\"\(key)\": \"gpt_neox\",", with: "").utf8).write(to: URL(fileURLWithPath: bad))
            XCTAssertThrowsError(try GPTNeoXConfiguration(transformersConfigAt: bad)) { error in
                guard case let .badConfiguration(_, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains(key), reason)
            }
        }
    }

    // MARK: Fine-tuning from published weights

    func testFitStartsFromAnImportedFolderAndItsCheckpointReloads() throws {
        let root = NSTemporaryDirectory() + "volt-import-fit-" + UUID().uuidString
        var config = FineTuneConfiguration()
        config.data.path = FineTuneWorkflowTests.rabies
        config.data.numWorkers = 1
        config.data.maxLength = 32
        config.model.initialization = Self.fixture("hf_sharded")
        config.module.accumulationSteps = 1
        config.trainer.maxEpochs = 1
        config.trainer.limitTrainBatches = 2
        config.trainer.limitValBatches = 2
        config.trainer.numSanityValSteps = 0
        config.trainer.defaultRootDir = root
        config.trainer.enableProgressBar = false
        config.trainer.loggers = []
        var mc = ModelCheckpointConfiguration()
        mc.dirpath = root + "/checkpoints"
        mc.monitor = "val_loss"
        config.trainer.callbacks = [.modelCheckpoint(mc)]

        let module = try FineTuneRun(config).makeModule()
        let difference = try maxLogitDifference(module.model, try expected().logits_float32)
        XCTAssertLessThan(difference, 1e-4, "model.init loads the published weights: max |Δlogits| = \(difference)")

        // An imported Volt checkpoint of no preset's size starts a run too: its model_config travels with it.
        let imported = temporaryPath("imported.h5")
        _ = try CheckpointImporter.importCheckpoint(Self.fixture("lightning.pt"), to: imported, shape: .configFile(Self.config))
        var fromCheckpoint = config
        fromCheckpoint.model.initialization = imported
        let fp16 = try maxLogitDifference(try FineTuneRun(fromCheckpoint).makeModule().model, try expected().logits_float16)
        XCTAssertLessThan(fp16, 1e-4, "model.init: imported .h5: max |Δlogits| = \(fp16)")

        let summary = try FineTuneRun(config).fit()
        XCTAssertEqual(summary.globalStep, 2)
        let tuned = try GenSLMModule.load(from: summary.bestModelPath)
        XCTAssertEqual(tuned.model.configuration.hiddenSize, 32)
        XCTAssertGreaterThan(try maxLogitDifference(tuned.model, try expected().logits_float32), 1e-6, "the weights were trained")
    }
}

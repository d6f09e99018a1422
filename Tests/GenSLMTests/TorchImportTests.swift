import Foundation
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltTensor

/// Importing published weights against fixtures written by torch 2.15 / transformers 5.24
/// (scripts/make_torch_checkpoint_fixtures.py): a GenSLM-style Lightning `.pt` in float16 with constant buffers,
/// a plain float32 `.pth`, a sharded safetensors folder, a bfloat16 safetensors file, hostile pickles.
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

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/torch_import").path
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

    // MARK: Hostile and broken files

    func testMaliciousPicklesAreRefusedNamingTheGlobalAndNothingRuns() throws {
        for (file, global, marker) in [("evil_os_system.pt", "posix.system", "os_system"), ("evil_eval.pt", "builtins.eval", "eval"),
                                       ("evil_popen.pt", "subprocess.Popen", "popen")] {
            let created = "/tmp/volt-torch-import-pwned-" + marker
            try? FileManager.default.removeItem(atPath: created)
            let path = Self.fixture(file), out = temporaryPath("evil.h5")
            XCTAssertThrowsError(try CheckpointImporter.importCheckpoint(path, to: out)) { error in
                XCTAssertEqual(error as? TorchImportError, .forbiddenGlobal(path: path, name: global))
                XCTAssertTrue("\(error)".contains(global), "\(error)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: created), "\(file): the payload ran")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    func testTruncatedZipIsAClearError() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("lightning.pt")))
        for keep in [data.count / 2, data.count - 30] {
            let path = temporaryPath("truncated.pt")
            try data.prefix(keep).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try CheckpointImporter.read(path, shape: .configFile(Self.config))) { error in
                guard case let .corruptArchive(p, _, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
                XCTAssertEqual(p, path)
                XCTAssertTrue(reason.contains("truncated"), reason)
            }
        }
    }

    func testDamagedStorageFailsItsChecksum() throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("plain_state_dict.pth")))
        let path = temporaryPath("damaged.pth")
        // Flip a byte in the middle of the largest storage record (the data region, past the pickle).
        data[data.count / 2] ^= 0xff
        try data.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try CheckpointImporter.read(path, shape: .configFile(Self.config))) { error in
            guard case let .corruptArchive(_, record, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
            XCTAssertTrue(record.contains("/data/"), record)
            XCTAssertTrue(reason.contains("CRC-32"), reason)
        }
    }

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

    func testLegacyFormatSaysHowToResave() throws {
        let path = Self.fixture("legacy.pt")
        XCTAssertThrowsError(try CheckpointImporter.read(path, shape: .configFile(Self.config))) { error in
            XCTAssertEqual(error as? TorchImportError, .legacyFormat(path: path))
            XCTAssertTrue("\(error)".contains("_use_new_zipfile_serialization=True"))
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

    // MARK: Reader details

    func testInt64AndBoolStoragesAndLightningExtrasAreRead() throws {
        let checkpoint = try TorchCheckpoint(path: Self.fixture("lightning.pt"))
        guard case let .dict(top) = checkpoint.root, case let .dict(loops)? = top["loops"],
              case let .tensor(counts)? = loops["counts"], case let .tensor(flags)? = loops["flags"],
              case let .dict(hparams)? = top["hyper_parameters"] else { return XCTFail("unexpected layout") }
        XCTAssertEqual(try checkpoint.int64Values(counts, name: "counts"), try expected().counts)
        XCTAssertEqual(try checkpoint.boolValues(flags, name: "flags"), try expected().flags)
        XCTAssertEqual(hparams["checkpoint_dir"]?.stringValue, "/tmp/genslm/run1")
        XCTAssertEqual(checkpoint.lightning?.otherKeys.contains("optimizer_states"), true)
    }

    func testTruncatedPickleStreamIsMalformedNotACrash() {
        for bytes: [UInt8] in [[0x80, 0x02, 0x7d], [0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f], [0x80, 0x02, 0x73, 0x2e], [0x80, 0x02, 0xff]] {
            var unpickler = Unpickler(bytes, path: "x.pt")
            XCTAssertThrowsError(try unpickler.load()) { error in
                guard case .malformedPickle? = error as? TorchImportError else { return XCTFail("\(error)") }
            }
        }
    }

    func testTransposedLayoutsAreRecognisedAndGappedOnesAreNot() {
        let storage = TorchStorageReference(key: "0", type: .float16, location: "cpu", count: 12)
        let transposed = TorchTensorReference(storage: storage, offset: 0, shape: [2, 3], strides: [1, 2])
        XCTAssertFalse(transposed.isContiguous)
        XCTAssertEqual(transposed.rowMajorOrder, [1, 0])
        let gapped = TorchTensorReference(storage: storage, offset: 0, shape: [2, 3], strides: [4, 1])
        XCTAssertNil(gapped.rowMajorOrder)
        let unitAxis = TorchTensorReference(storage: storage, offset: 2, shape: [1, 3], strides: [99, 1])
        XCTAssertTrue(unitAxis.isContiguous)
    }

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
        let c = try TransformersConfiguration.read(from: path)
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
            XCTAssertThrowsError(try TransformersConfiguration.read(from: bad)) { error in
                guard case let .badConfiguration(_, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains(key), reason)
            }
        }
    }

    func testHostileTensorSizesAreRefusedBeforeAnyAllocation() {
        func unicode(_ s: String) -> [UInt8] { [0x58] + withUnsafeBytes(of: UInt32(s.utf8.count).littleEndian, Array.init) + Array(s.utf8) }
        // _rebuild_tensor_v2(("storage", torch.HalfStorage, "0", "cpu", 4), 0, (2^62, 2), (1, 1)) in protocol 2.
        let bytes: [UInt8] = [0x80, 0x02] + Array("ctorch._utils\n_rebuild_tensor_v2\n".utf8) + [0x28, 0x28] + unicode("storage")
            + Array("ctorch\nHalfStorage\n".utf8) + unicode("0") + unicode("cpu") + [0x4b, 0x04, 0x74, 0x51, 0x4b, 0x00,
            0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x4b, 0x02, 0x86, 0x4b, 0x01, 0x4b, 0x01, 0x86, 0x74, 0x52, 0x2e]
        var unpickler = Unpickler(bytes, path: "huge.pt")
        XCTAssertThrowsError(try unpickler.load()) { error in
            guard case let .malformedPickle(_, _, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("2^48"), reason)
        }
        var sane = bytes
        sane[sane.count - 12] = 0x00  // 2^62 → 0: the same stream now rebuilds an empty tensor
        var accepted = Unpickler(sane, path: "ok.pt")
        guard case let .tensor(tensor)? = try? accepted.load() else { return XCTFail("the well-sized stream should load") }
        XCTAssertEqual(tensor.shape, [0, 2])
        XCTAssertEqual(tensor.storage, TorchStorageReference(key: "0", type: .float16, location: "cpu", count: 4))
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

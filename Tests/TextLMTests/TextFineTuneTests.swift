import Foundation
import XCTest
import LLaMA
import TextLM
import Volt
import VoltApp
import VoltTensor
import VoltInterop

/// The text layout end to end on the text-summarization template's corpus and tokenizer.
final class TextFineTuneTests: XCTestCase {
    static let templateData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Templates/text-summarization/data").path

    func directory(_ name: String = #function) throws -> String {
        let path = NSTemporaryDirectory() + "volt-textlm-" + name.filter(\.isLetter) + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func configurationFile(root: String, extra: String = "") throws -> String {
        let text = """
            seed: 3
            model: {family: llama, preset: tiny}
            module: {lr: 1.0e-2}
            peft: {r: 8, alpha: 16, dropout: 0.0}
            generation: {max_new_tokens: 12}
            data:
              path: \(Self.templateData)/corpus.jsonl
              tokenizer: \(Self.templateData)/tokenizer.json
              prompt_template: "{document}\\nSummary: "
              max_length: 128
              eos_token: "</s>"
              pad_token: "<pad>"
              split: [0.8, 0.2]
              batch_size: 16
            trainer:
              max_epochs: 2
              default_root_dir: \(root)
              enable_progress_bar: false
              num_sanity_val_steps: 0
              limit_val_batches: 2
              loggers: []
              callbacks:
                - model_checkpoint: {dirpath: \(root)/ckpt, monitor: val_rougeL, mode: max, save_top_k: 1, save_last: true}
            \(extra)
            """
        let path = root + "/text.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testModelFamilySelectsTheLayout() throws {
        let root = try directory()
        let path = try configurationFile(root: root)
        XCTAssertEqual(try ConfigurationLayout.select(paths: [path], overrides: []), .text)
        XCTAssertEqual(try ConfigurationLayout.select(paths: [path], overrides: [("model.family", "gpt_neox")]), .genslm)
        XCTAssertEqual(try ConfigurationLayout.select(paths: [], overrides: []), .genslm)
        XCTAssertThrowsError(try ConfigurationLayout.select(paths: [path], overrides: [("model.family", "gpt2")])) {
            XCTAssertTrue("\($0)".contains("gpt_neox, llama, mixtral"), "\($0)")
        }
        let genslm = root + "/genslm.yaml"
        try "model: {family: gpt_neox, preset: genslm-tiny}\n".write(toFile: genslm, atomically: true, encoding: .utf8)
        XCTAssertEqual(try FineTuneConfiguration.load(path: genslm).model.preset.rawValue, "genslm-tiny")
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: genslm, overrides: [("model.family", "llama")])) {
            XCTAssertTrue("\($0)".contains("model.family"), "\($0)")
        }
    }

    /// `--print-config`'s YAML holds every key and loads back to the same configuration; bad values name the key.
    func testTheTextConfigurationRoundTripsThroughPrintConfig() throws {
        let root = try directory()
        let path = try configurationFile(root: root, extra: "tune: {n_trials: 2, space: {module.lr: {type: float, low: 1.0e-4, high: 1.0e-2, log: true}, peft.r: {type: int, low: 4, high: 16, step: 4}}}")
        let loaded = try ConfigurationLoader.load(TextFineTuneConfiguration.self, paths: [path])
        XCTAssertEqual(loaded.value.hyperparameters.peft?.targetModules, ["q_proj", "v_proj"])
        let printed = try loaded.resolvedYAML()
        for key in ["family: llama", "max_new_tokens: 12", "decoding: greedy", "top_k: null", "target_modules:", "truncation: left"] {
            XCTAssertTrue(printed.contains(key), "\(key) missing from\n\(printed)")
        }
        let again = root + "/printed.yaml"
        try printed.write(toFile: again, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ConfigurationLoader.load(TextFineTuneConfiguration.self, paths: [again]).value, loaded.value)
        XCTAssertThrowsError(try ConfigurationLoader.load(TextFineTuneConfiguration.self, paths: [path],
                                                          overrides: [("generation.decoding", "beam")])) {
            XCTAssertTrue("\($0)".contains("generation.decoding") && "\($0)".contains("greedy, sample"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigurationLoader.load(TextFineTuneConfiguration.self, paths: [path], overrides: [("peft.rank", "4")])) {
            XCTAssertTrue("\($0)".contains("peft.rank"), "\($0)")
        }
        // volt tune's trials set module.lr and peft.r on the typed configuration.
        let search = try FineTuneSearch(loaded.value)
        let trial = try search.trialConfiguration(number: 1, params: ["module.lr": .double(3e-3), "peft.r": .int(12)])
        XCTAssertEqual(trial.hyperparameters.module.lr, 3e-3)
        XCTAssertEqual(trial.hyperparameters.peft?.r, 12)
        XCTAssertEqual(trial.trainer.defaultRootDir, root + "/trials/trial_1")
    }

    /// LoRA on q_proj/v_proj lowers the validation loss, validation logs ROUGE of greedy generations, and the best
    /// checkpoint rebuilds the module with the same weights.
    func testATinyLoRAFitLowersValidationLossLogsRougeAndReloads() throws {
        let root = try directory()
        let configuration = try ConfigurationLoader.load(TextFineTuneConfiguration.self, paths: [try configurationFile(root: root)]).value
        let module = try configuration.makeModule()
        XCTAssertEqual(module.model.loraLayers().map(\.0).count, 4, "q_proj and v_proj of 2 layers")
        let data = try configuration.makeDataModule(for: module)
        let before = try Trainer(configuration: configuration.trainer, callbacks: []).validate(module, datamodule: data)
        let trainer = try configuration.makeTrainer(callbacks: [])
        try trainer.fit(module, datamodule: data)
        let after = trainer.callbackMetrics
        XCTAssertLessThan(try XCTUnwrap(after["val_loss"]), try XCTUnwrap(before["val_loss"]) - 0.05, "\(before) → \(after)")
        for key in ["val_rouge1", "val_rouge2", "val_rougeL", "val_rougeLsum"] {
            let value = try XCTUnwrap(after[key], "\(key) in \(after.keys.sorted())")
            XCTAssertTrue((0...1).contains(value), "\(key) \(value)")
        }
        let best = try XCTUnwrap(trainer.checkpointCallback?.bestModelPath)
        XCTAssertTrue(best.hasSuffix(".h5"), best)
        let reloaded = try CausalLMModule.load(from: root + "/ckpt/last.h5")
        XCTAssertEqual(reloaded.hyperparameters, module.hyperparameters)
        let a = Dictionary(uniqueKeysWithValues: module.model.namedTensors().map { ($0.0, $0.1.scalars) })
        let b = Dictionary(uniqueKeysWithValues: reloaded.model.namedTensors().map { ($0.0, $0.1.scalars) })
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (name, values) in a { XCTAssertEqual(values, b[name], name) }

        // The test loop scores generations too (what `volt eval --metric rouge` prints).
        var withTest = configuration
        withTest.data.split = [0.7, 0.2, 0.1]
        let tested = try Trainer(configuration: configuration.trainer, callbacks: [])
            .test(reloaded, datamodule: try withTest.makeDataModule(for: reloaded))
        for key in ["test_loss", "test_rouge1", "test_rouge2", "test_rougeL", "test_rougeLsum"] {
            XCTAssertNotNil(tested[key], "\(key) in \(tested.keys.sorted())")
        }

        // Exports: the trained adapters in PEFT's layout, and the merged model as save_pretrained lays it out.
        let last = root + "/ckpt/last.h5"
        try CausalLMCheckpointExport.exportAdapter(checkpoint: last, to: root + "/adapter")
        try CausalLMCheckpointExport.exportMerged(checkpoint: last, to: root + "/merged")
        let adapter = try PEFTAdapter.read(from: root + "/adapter")
        XCTAssertEqual(adapter.configuration.targetModules, .names(["q_proj", "v_proj"]))
        let ids = Tensor(shape: [1, 6], indices: [1, 5, 9, 13, 17, 21])
        let expected = try reloaded.model.logits(ids).scalars
        let merged = try LlamaForCausalLM.load(from: root + "/merged")
        XCTAssertTrue(merged.loraLayers().isEmpty, "the merged export holds transformers' names only")
        let mergedLogits = try merged.logits(ids).scalars
        XCTAssertEqual(mergedLogits.count, expected.count)
        XCTAssertLessThan(zip(mergedLogits, expected).map { abs($0 - $1) }.max() ?? 1, 1e-4, "merged = base + adapters")
        // The adapter folder over the same random base rebuilds the trained model.
        let fresh = try CausalLMModule(hyperparameters: module.hyperparameters)
        try adapter.load(into: fresh.model, source: root + "/adapter")
        let adapted = try fresh.model.logits(ids).scalars
        XCTAssertLessThan(zip(adapted, expected).map { abs($0 - $1) }.max() ?? 1, 1e-5, "base + PEFT adapter = trained model")
    }

    /// `model.family: mixtral` gives the preset 4 experts (2 per token) whose load-balancing loss joins the loss,
    /// and fits through the same layout.
    func testTheMixtralFamilyFitsThroughTheSameLayout() throws {
        let root = try directory()
        let configuration = try ConfigurationLoader.load(TextFineTuneConfiguration.self, paths: [try configurationFile(root: root)],
            overrides: [("model.family", "mixtral"), ("trainer.max_epochs", "1"), ("trainer.limit_train_batches", "3"),
                        ("trainer.limit_val_batches", "1")]).value
        let module = try configuration.makeModule()
        XCTAssertEqual(module.model.configuration.numLocalExperts, 4)
        XCTAssertEqual(module.model.configuration.modelType, "mixtral")
        let data = try configuration.makeDataModule(for: module)
        let trainer = try configuration.makeTrainer(callbacks: [])
        try trainer.fit(module, datamodule: data)
        XCTAssertTrue(try XCTUnwrap(trainer.callbackMetrics["val_loss"]).isFinite)
        XCTAssertNotNil(trainer.callbackMetrics["val_rouge1"])
    }

    /// `model.init` naming a transformers folder starts the fit from its architecture and weights, with the LoRA
    /// adapters on top; the base weights equal the LLaMA loader's.
    func testModelInitStartsFromATransformersFolderUnderTheAdapters() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LLaMATests/Fixtures/io/llama_sharded").path
        let h = try ConfigurationLoader.decode(CausalLMModule.Hyperparameters.self,
                                               from: "model: {init: \(folder)}\npeft: {r: 4, alpha: 8}", source: "test")
        let module = try CausalLMModule.starting(from: h)
        let reference = try LlamaForCausalLM.load(from: folder)
        XCTAssertEqual(module.model.configuration, reference.configuration, "the architecture is the folder's")
        let loaded = Dictionary(uniqueKeysWithValues: module.model.namedTensors())
        for (name, tensor) in reference.namedTensors() { XCTAssertEqual(loaded[name]?.scalars, tensor.scalars, name) }
        XCTAssertTrue(loaded.keys.contains { $0.hasSuffix("q_proj.lora_A.weight") }, "adapters attached")
        XCTAssertThrowsError(try CausalLMModule.starting(from: {
            var bad = h
            bad.model.initialization = folder + "-missing"
            return bad
        }())) { XCTAssertTrue("\($0)".contains("-missing"), "\($0)") }
    }
}

import Foundation
import XCTest
import Yams
import GenSLM
import VoltApp
import Volt
import VoltNN

final class ConfigurationTests: XCTestCase {
    func write(_ yaml: String) throws -> String {
        let path = NSTemporaryDirectory() + "volt-config-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The genslm-finetune template's `module:` section: its module's hyper-parameters (preset, accumulation, lr).
    struct TemplateModuleSection: ConfigurationSection, Equatable {
        var preset = GenSLMPreset.tiny
        var accumulationSteps = 0
        var lr = 0.0
    }

    /// The template's config.yaml has Lightning CLI's layout (`trainer:`, `module:`, `data:`) with the workflow's
    /// values, and its `data:` section is `FASTADataModule`'s.
    func testTemplateConfigurationParsesWithDesignValues() throws {
        struct Layout: ConfigurationSection {
            var trainer = TrainerConfiguration()
            var module = TemplateModuleSection()
            var data = FASTADataModule.Configuration()
        }
        let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates/genslm-finetune/config.yaml").path
        let c = try ConfigurationLoader.load(Layout.self, paths: [template]).value
        XCTAssertEqual(c.data.split, [0.8, 0.1, 0.1])
        XCTAssertEqual(c.module, TemplateModuleSection(preset: .tiny, accumulationSteps: 10, lr: 1e-5))
        XCTAssertEqual(c.trainer.precision, .fp16)
        XCTAssertEqual(c.trainer.devices, 2)
        guard case let .modelCheckpoint(mc)? = c.trainer.callbacks.first else { return XCTFail("no model_checkpoint") }
        XCTAssertEqual(mc.filename, "rabies-{epoch:02d}-{val_loss:.2f}")
        XCTAssertEqual(mc.saveTopK, 1)
        let data = FASTADataModule(configuration: c.data)
        XCTAssertEqual(data.data, c.data)
    }

    /// `configs/rabies.yaml`, the main job's configuration, is `volt fit`'s layout with the workflow's values.
    func testTheMainJobsConfigurationLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/rabies.yaml").path
        let c = try FineTuneConfiguration.load(path: path)
        XCTAssertEqual(c.module.accumulationSteps, 10)
        XCTAssertEqual(c.module.optimization, .manual)
        XCTAssertEqual(c.trainer.precision, .fp16)
        XCTAssertEqual(c.trainer.strategy, .ddp)
        XCTAssertEqual(c.trainer.devices, 2)
        XCTAssertEqual(c.data.split, [0.8, 0.2])
    }

    func testMissingKeysTakeDefaults() throws {
        let c = try FineTuneConfiguration.load(path: try write("trainer: {max_epochs: 7}\n"))
        XCTAssertEqual(c.trainer.maxEpochs, 7)
        XCTAssertEqual(c.trainer.logEveryNSteps, 50)
        XCTAssertEqual(c.data.batchSize, 1)
        XCTAssertEqual(c, { var d = FineTuneConfiguration(); d.trainer.maxEpochs = 7; return d }())
    }

    func testUnknownKeysAreRejectedWithTheirPath() throws {
        let path = try write("trainer:\n  max_epoch: 3\n")
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: path)) { error in
            guard case let ConfigurationError.unknownKey(file, key, allowed) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path + ":2", "the file and the line of the key")
            XCTAssertEqual(key, "trainer.max_epoch")
            XCTAssertTrue(allowed.contains("max_epochs"))
        }
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: try write("trainer:\n  callbacks:\n    - model_checkpoint: {monitr: val_loss}\n"))) {
            XCTAssertTrue("\($0)".contains("trainer.callbacks[0].model_checkpoint.monitr"), "\($0)")
        }
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: try write("data: {batch_size: many}\n"))) {
            XCTAssertTrue("\($0)".contains("data.batch_size"), "\($0)")
        }
    }

    func testCommandLineOverridesWin() throws {
        let overrides = try ConfigurationLoader.parseOverrides(["--trainer.max_epochs", "1", "--data.split=[0.5, 0.5]", "--model.preset", "genslm-25m"])
        let c = try FineTuneConfiguration.load(path: try write("trainer: {max_epochs: 9}\n"), overrides: overrides)
        XCTAssertEqual(c.trainer.maxEpochs, 1)
        XCTAssertEqual(c.data.split, [0.5, 0.5])
        XCTAssertEqual(c.model.preset, .m25)
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: nil, overrides: [("trainer.nope", "1")]))
        XCTAssertThrowsError(try ConfigurationLoader.parseOverrides(["--trainer.max_epochs"]))
    }

    func testTypeErrorsNameTheFileLineAndKeyInPlainWords() throws {
        let path = try write("seed: 1\ntrainer:\n  max_epochs: three\n")
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: path)) {
            XCTAssertEqual("\($0)", "\(path):3: invalid value for \"trainer.max_epochs\": trainer.max_epochs must be an integer, got three")
        }
    }

    func testABadOverrideIsReportedAsTheOverride() throws {
        let file = try write("trainer: {max_epochs: 2}\n")
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: file, overrides: [("trainer.max_epochs", "three")])) {
            XCTAssertEqual("\($0)", "command-line override --trainer.max_epochs: invalid value for \"trainer.max_epochs\": "
                           + "trainer.max_epochs must be an integer, got three")
        }
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: file, overrides: [("trainer.max_epoch", "3")])) {
            XCTAssertTrue("\($0)".hasPrefix("command-line override --trainer.max_epoch: unknown key"), "\($0)")
        }
    }

    func testFastDevRunTakesABoolOrAnInteger() throws {
        XCTAssertEqual(try FineTuneConfiguration.load(path: nil, overrides: [("trainer.fast_dev_run", "true")]).trainer.fastDevRun, 1)
        XCTAssertEqual(try FineTuneConfiguration.load(path: nil, overrides: [("trainer.fast_dev_run", "false")]).trainer.fastDevRun, 0)
        XCTAssertEqual(try FineTuneConfiguration.load(path: nil, overrides: [("trainer.fast_dev_run", "3")]).trainer.fastDevRun, 3)
    }

    func testLimitBatchesFollowLightningsIntegerAndFloatRule() throws {
        let c = try FineTuneConfiguration.load(path: try write("trainer: {limit_val_batches: 1, limit_train_batches: 1.0, val_check_interval: 0.25}\n"))
        XCTAssertEqual(c.trainer.limitValBatches, .count(1), "1 is one batch")
        XCTAssertEqual(c.trainer.limitTrainBatches, .fraction(1), "1.0 is all of them")
        XCTAssertEqual(c.trainer.valCheckInterval, .fraction(0.25))
        XCTAssertEqual(c.trainer.limitValBatches.resolve(10), 1)
        XCTAssertEqual(c.trainer.limitTrainBatches.resolve(10), 10)
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: try write("trainer: {limit_val_batches: 1.5}\n")))
    }

    func testMaxTimeTakesLightningsDaysHoursMinutesSeconds() throws {
        XCTAssertEqual(try TimeLimit(parsing: "00:12:00:00").seconds, 12 * 3600)
        XCTAssertEqual(try TimeLimit(parsing: "01:00:00:30").seconds, 86400 + 30)
        XCTAssertEqual(try TimeLimit(parsing: "90").seconds, 90)
        XCTAssertThrowsError(try TimeLimit(parsing: "12:00").seconds)
        XCTAssertThrowsError(try TimeLimit(parsing: "00:00:00:00").seconds)
    }

    func testBatchSizeAndMaxLengthBelowOneAreErrorsNotCrashes() throws {
        for (key, value) in [("data.batch_size", "0"), ("data.max_length", "0"), ("data.batch_size", "-2")] {
            XCTAssertThrowsError(try FineTuneConfiguration.load(path: nil, overrides: [(key, value)])) {
                XCTAssertTrue("\($0)".contains("command-line override --\(key)") && "\($0)".contains("at least 1"), "\($0)")
            }
        }
    }

    /// `--print-config`'s YAML holds every key (unset optional ones as null) and loads back to the same
    /// configuration, callbacks, PEFT and tune sections included.
    func testPrintedConfigurationLoadsBackToTheSameValue() throws {
        let path = try write("""
            data: {split: [0.8, 0.1, 0.1], batch_size: 2}
            module: {lr: 3.0e-4, optimizer: adamw8bit}
            trainer:
              limit_val_batches: 1.0
              limit_train_batches: 4
              max_time: "00:01:00:00"
              callbacks:
                - model_checkpoint: {monitor: val_loss, save_last: true}
                - early_stopping: {patience: 2}
            peft: {type: lora, r: 4, target_modules: [query_key_value]}
            tune:
              space:
                module.lr: {type: float, low: 1.0e-6, high: 1.0e-3, log: true}
            """)
        let loaded = try ConfigurationLoader.load(FineTuneConfiguration.self, paths: [path])
        let printed = try loaded.resolvedYAML()
        XCTAssertTrue(printed.contains("gradient_clip_val: null"), printed)
        XCTAssertTrue(printed.contains("limit_val_batches: 1.0"), "a fraction keeps its decimal point: \(printed)")
        XCTAssertTrue(printed.contains("limit_train_batches: 4\n"), printed)
        let again = try FineTuneConfiguration.load(path: try write(printed))
        XCTAssertEqual(again, loaded.value)
        XCTAssertEqual(again.trainer.maxTime?.seconds, 3600)
        XCTAssertEqual(again.hyperparameters.lora?.r, 4)
    }

    /// A misspelt key is rejected with its file, line and dotted key, and the keys allowed there.
    func testAMisspeltKeyNamesItsLine() throws {
        let path = try write("seed: 1\ndata:\n  batch_size: 2\n  bach_size: 3\n")
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: path)) {
            guard case let .unknownKey(file, key, allowed)? = $0 as? ConfigurationError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, path + ":4")
            XCTAssertEqual(key, "data.bach_size")
            XCTAssertTrue(allowed.contains("batch_size"))
        }
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: try write("trainer:\n  precision: fp8\n"))) {
            XCTAssertTrue("\($0)".contains(":2: invalid value for \"trainer.precision\"") && "\($0)".contains("fp32, fp16, bf16"), "\($0)")
        }
    }

    /// The configuration guide's key table lists exactly the keys of `seed`, `data`, `model`, `module` and `trainer`,
    /// and every default it writes as a value (`` `3` ``, none) is the one the configuration decodes to.
    func testTheGuidesKeyTableMatchesTheConfiguration() throws {
        let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/GenSLM/GenSLM.docc/configuration.md").path
        var documented: [String: String] = [:]
        for line in try String(contentsOfFile: guide, encoding: .utf8).split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[0].hasPrefix("`"), cells[0].hasSuffix("`") else { continue }
            let key = String(cells[0].dropFirst().dropLast())
            guard ["seed", "data.", "model.", "module.", "trainer."].contains(where: { key == $0 || key.hasPrefix($0) }),
                  key.split(separator: ".").count <= 2 else { continue }
            documented[key] = cells[1]
        }
        let printed = try ConfigurationLoader.load(FineTuneConfiguration.self, paths: []).resolvedYAML()
        let root = try XCTUnwrap(try Yams.compose(yaml: printed))
        var actual: [String: Node] = [:]
        for (section, value) in try XCTUnwrap(root.mapping) {
            let name = try XCTUnwrap(section.string)
            guard ["seed", "data", "model", "module", "trainer"].contains(name) else { continue }
            if let fields = value.mapping {
                for (key, field) in fields { actual[name + "." + (key.string ?? "")] = field }
            } else {
                actual[name] = value
            }
        }
        XCTAssertEqual(Set(documented.keys).symmetricDifference(actual.keys), [], "keys only in the guide or only in the configuration")
        for (key, text) in documented {
            guard let node = actual[key] else { continue }
            if text == "none" {
                XCTAssertTrue(node.isNullValue, "\(key): the guide says none, the configuration has \(node)")
                continue
            }
            guard text.hasPrefix("`"), text.hasSuffix("`"), text.filter({ $0 == "`" }).count == 2 else { continue }
            let value = String(text.dropFirst().dropLast())
            let rendered: String
            switch node {
            case let .sequence(items): rendered = "[" + items.compactMap(\.string).joined(separator: ", ") + "]"
            default: rendered = node.string ?? ""
            }
            if let a = Double(value), let b = Double(rendered) { XCTAssertEqual(a, b, key) } else { XCTAssertEqual(value, rendered, key) }
        }
    }
    /// A checkpoint written before the hyper-parameters took the configuration's layout (one flat object) still
    /// loads: each key lands in its section, `base_weights` as `model.init`, `lora` as `peft` of type lora.
    func testFlatHyperparametersOfOlderCheckpointsUpgrade() throws {
        let saved = try SavedHyperparameters(json: """
            {"preset": "genslm-25m", "accumulation_steps": 4, "lr": 0.001, "optimizer": "adamw", "seed": 7,
             "gradient_checkpointing": true, "base_weights": "/data/base.safetensors", "base_sha256": "abc",
             "lora": {"r": 4, "alpha": 16, "target_modules": ["query_key_value"]}}
            """)
        let h = try saved.decode(GenSLMModule.Hyperparameters.self)
        var expected = GenSLMModule.Hyperparameters()
        expected.seed = 7
        expected.model.preset = .m25
        expected.model.gradientCheckpointing = true
        expected.model.initialization = "/data/base.safetensors"
        expected.model.initSHA256 = "abc"
        expected.module.accumulationSteps = 4
        expected.module.lr = 0.001
        expected.module.optimizer = .adamw
        expected.peft = .lora(LoRAConfiguration(r: 4, alpha: 16, targetModules: .names(["query_key_value"])))
        XCTAssertEqual(h, expected)
        // Today's layout is read as it is, and an unknown flat key is still an error.
        XCTAssertEqual(try SavedHyperparameters(expected).decode(GenSLMModule.Hyperparameters.self), expected)
        XCTAssertThrowsError(try SavedHyperparameters(json: #"{"preset": "genslm-tiny", "prest": 1}"#)
            .decode(GenSLMModule.Hyperparameters.self)) { XCTAssertTrue("\($0)".contains("prest"), "\($0)") }
    }
}

private extension Node {
    var isNullValue: Bool { if case let .scalar(s) = self { return ["null", "~", ""].contains(s.string) } else { return false } }
}

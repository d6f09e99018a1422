import Foundation
import XCTest
import GenSLM

final class ConfigurationTests: XCTestCase {
    func write(_ yaml: String) throws -> String {
        let path = NSTemporaryDirectory() + "volt-config-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTemplateConfigurationParsesWithDesignValues() throws {
        let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates/genslm-finetune/config.yaml").path
        let c = try ConfigurationLoader.load(path: template)
        XCTAssertEqual(c.data.split, [0.8, 0.2])
        XCTAssertEqual(c.module.accumulationSteps, 10)
        XCTAssertEqual(c.module.lr, 1e-5)
        XCTAssertEqual(c.trainer.precision, "fp16")
        XCTAssertEqual(c.trainer.devices, 2)
        guard case let .modelCheckpoint(mc)? = c.trainer.callbacks.first else { return XCTFail("no model_checkpoint") }
        XCTAssertEqual(mc.filename, "rabies-{epoch:02d}-{val_loss:.2f}")
        XCTAssertEqual(mc.saveTopK, 1)
    }

    func testMissingKeysTakeDefaults() throws {
        let c = try ConfigurationLoader.load(path: try write("trainer: {max_epochs: 7}\n"))
        XCTAssertEqual(c.trainer.maxEpochs, 7)
        XCTAssertEqual(c.trainer.logEveryNSteps, 50)
        XCTAssertEqual(c.data.batchSize, 1)
        XCTAssertEqual(c, { var d = FineTuneConfiguration(); d.trainer.maxEpochs = 7; return d }())
    }

    func testUnknownKeysAreRejectedWithTheirPath() throws {
        let path = try write("trainer:\n  max_epoch: 3\n")
        XCTAssertThrowsError(try ConfigurationLoader.load(path: path)) { error in
            guard case let ConfigurationError.unknownKey(file, key, allowed) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path)
            XCTAssertEqual(key, "trainer.max_epoch")
            XCTAssertTrue(allowed.contains("max_epochs"))
        }
        XCTAssertThrowsError(try ConfigurationLoader.load(path: try write("trainer:\n  callbacks:\n    - model_checkpoint: {monitr: val_loss}\n"))) {
            XCTAssertTrue("\($0)".contains("trainer.callbacks[0].model_checkpoint.monitr"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigurationLoader.load(path: try write("data: {batch_size: many}\n"))) {
            XCTAssertTrue("\($0)".contains("data.batch_size"), "\($0)")
        }
    }

    func testCommandLineOverridesWin() throws {
        let overrides = try ConfigurationLoader.parseOverrides(["--trainer.max_epochs", "1", "--data.split=[0.5, 0.5]", "--model.preset", "genslm-25m"])
        let c = try ConfigurationLoader.load(path: try write("trainer: {max_epochs: 9}\n"), overrides: overrides)
        XCTAssertEqual(c.trainer.maxEpochs, 1)
        XCTAssertEqual(c.data.split, [0.5, 0.5])
        XCTAssertEqual(c.model.preset, "genslm-25m")
        XCTAssertThrowsError(try ConfigurationLoader.load(path: nil, overrides: [("trainer.nope", "1")]))
        XCTAssertThrowsError(try ConfigurationLoader.parseOverrides(["--trainer.max_epochs"]))
    }
}

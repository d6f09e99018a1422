import Foundation
import XCTest
import Volt

/// Typed hyper-parameters: saved in checkpoints as JSON, restored by `load(from:)`, flattened for the loggers,
/// and decoded strictly.
final class HyperparametersTests: XCTestCase {
    func testHyperparametersRoundTripThroughACheckpointAndReachTheLoggers() throws {
        let root = temporaryDirectory()
        var h = LineModule.Hyperparameters()
        h.seed = 11
        h.dropout = 0.25
        h.lr = 0.125
        let module = try LineModule(hyperparameters: h)
        let checkpoint = ModelCheckpoint(dirpath: root + "/ckpt", filename: "last")
        let logger = try CSVLogger(rootDirectory: root + "/logs")
        let trainer = try Trainer(maxEpochs: 1, defaultRootDir: root, enableProgressBar: false, callbacks: [checkpoint], loggers: [logger])
        try trainer.fit(module, train: loader(lineData(4)))

        let restored = try LineModule.load(from: checkpoint.bestModelPath)
        XCTAssertEqual(restored.hyperparameters, h)
        let saved = try Checkpoint.read(from: checkpoint.bestModelPath, weightsOnly: true).metadata.hyperparameters
        XCTAssertEqual(saved.json, #"{"seed":11,"lr":0.125,"dropout":0.25}"#)
        XCTAssertEqual(logger.hyperparameters, ["seed": .int(11), "lr": .double(0.125), "dropout": .double(0.25)])
        XCTAssertTrue(try String(contentsOfFile: logger.hyperparametersPath, encoding: .utf8).contains("dropout: 0.25"))
    }

    func testSavedHyperparametersDecodeOntoDefaultsAndRejectUnknownKeys() throws {
        let partial = try SavedHyperparameters(json: #"{"lr":0.5}"#)
        XCTAssertEqual(try partial.decode(LineModule.Hyperparameters.self).lr, 0.5)
        XCTAssertEqual(try partial.decode(LineModule.Hyperparameters.self).seed, 7, "missing keys take the defaults")
        let typo = try SavedHyperparameters(json: #"{"lr":0.5,"dropuot":0.1}"#)
        XCTAssertThrowsError(try typo.decode(LineModule.Hyperparameters.self, source: "run.h5")) {
            guard case let .unknownKey(file, key, allowed)? = $0 as? ConfigurationError else { return XCTFail("\($0)") }
            XCTAssertEqual(key, "dropuot")
            XCTAssertTrue(file.hasPrefix("run.h5"), file)
            XCTAssertEqual(allowed.sorted(), ["dropout", "lr", "seed"])
        }
        XCTAssertThrowsError(try SavedHyperparameters(json: #"{"lr":"fast"}"#).decode(LineModule.Hyperparameters.self)) {
            XCTAssertTrue("\($0)".contains("lr must be a number, got fast"), "\($0)")
        }
        XCTAssertThrowsError(try SavedHyperparameters(json: "[1, 2]"))
    }

    func testModulesWithoutHyperparametersSaveAnEmptyObject() throws {
        XCTAssertEqual(try SavedHyperparameters(NoHyperparameters()).json, "{}")
    }
}

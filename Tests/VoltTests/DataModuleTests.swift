import Foundation
import XCTest
import Volt
import VoltData
import VoltNN
import VoltTensor

/// A data module over the line data: train/val/test splits, call counts, and a saved counter as its state.
final class LineDataModule: DataModule {
    var prepared = 0
    var stages: [Stage] = []
    var restoredState: String?
    var epochsServed = 0
    func prepareData() throws { prepared += 1 }
    func setup(stage: Stage) throws { stages.append(stage) }
    func trainLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]> { loader(lineData(12), batchSize: 2) }
    func valLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]>? { loader(lineData(4, seed: 1), shuffle: false) }
    func testLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]>? { loader(lineData(6, seed: 2), shuffle: false) }
    func predictLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]>? { nil }
    func state() throws -> String? { "{\"served\": 7}" }
    func load(state: String) throws { restoredState = state }
}

final class DataModuleTests: XCTestCase {
    func trainer(_ root: String, epochs: Int = 2, callbacks: [any Callback] = []) throws -> Trainer {
        try Trainer(maxEpochs: epochs, numSanityValSteps: 0, defaultRootDir: root, enableProgressBar: false,
                    callbacks: callbacks, loggers: [])
    }

    func testFitValidateAndTestTakeTheirLoadersFromTheDataModule() throws {
        let data = LineDataModule()
        let module = try LineModule(hyperparameters: .init())
        let t = try trainer(temporaryDirectory(), callbacks: [])
        try t.fit(module, datamodule: data)
        XCTAssertEqual(t.globalStep, 2 * 6, "6 training batches of 2 per epoch")
        XCTAssertNotNil(t.callbackMetrics["val_loss"], "validation ran on valLoader")
        let validated = try t.validate(module, datamodule: data)
        let direct = try t.validate(module, val: loader(lineData(4, seed: 1), shuffle: false))
        XCTAssertEqual(validated["val_loss"], direct["val_loss"])
        let tested = try t.test(module, datamodule: data)
        XCTAssertEqual(tested["test_loss"], try t.test(module, test: loader(lineData(6, seed: 2), shuffle: false))["test_loss"],
                       "test runs on the test split, not the validation split")
        XCTAssertNotNil(tested["test_loss"])
        XCTAssertNotEqual(tested["test_loss"], validated["val_loss"])
        XCTAssertEqual(data.prepared, 3, "prepareData once per entry point")
        XCTAssertEqual(data.stages, [.training, .validating, .testing])
        XCTAssertThrowsError(try t.predict(module, datamodule: data)) {
            XCTAssertTrue("\($0)".contains("predictLoader"), "\($0)")
        }
    }

    func testTheDataModuleStateIsSavedInCheckpointsAndRestoredOnResume() throws {
        let root = temporaryDirectory()
        let checkpoint = ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0, saveLast: true)
        try trainer(root, epochs: 1, callbacks: [checkpoint]).fit(try LineModule(hyperparameters: .init()), datamodule: LineDataModule())
        XCTAssertEqual(try Checkpoint.read(from: root + "/ckpt/last.h5").callbacks["DataModule"], "{\"served\": 7}")
        let resumedData = LineDataModule()
        try trainer(root, epochs: 2, callbacks: [ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0, saveLast: true)])
            .fit(try LineModule(hyperparameters: .init()), datamodule: resumedData, ckptPath: "last")
        XCTAssertEqual(resumedData.restoredState, "{\"served\": 7}")
    }
}

import Foundation
import XCTest
import Volt
import VoltData
import VoltNN
import VoltTensor

final class TrainerTests: XCTestCase {
    func makeTrainer(_ root: String, maxEpochs: Int = 3, callbacks: [any Callback] = [], precision: Precision = .fp32,
                     accumulate: Int = 1, loggers: [any Logger]? = []) throws -> Trainer {
        try Trainer(maxEpochs: maxEpochs, accumulateGradBatches: accumulate, numSanityValSteps: 0, logEveryNSteps: 1,
                    defaultRootDir: root, enableProgressBar: false, precision: precision, callbacks: callbacks, loggers: loggers)
    }

    func testAutomaticOptimizationLearnsAndLogsLikeLightning() throws {
        let root = temporaryDirectory()
        let module = try LineModule(hyperparameters: .init())
        let validation = loader(lineData(6, seed: 1), shuffle: false)
        let initial = try makeTrainer(root).validate(module, val: validation)["val_loss"] ?? 0
        let trainer = try makeTrainer(root, maxEpochs: 30, callbacks: [ModelCheckpoint(monitor: "val_loss")])
        let data = lineData(20)
        try trainer.fit(module, train: loader(data), val: validation)
        XCTAssertEqual(trainer.globalStep, 30 * 10, "one optimizer step per batch")
        XCTAssertEqual(trainer.currentEpoch, 29)
        XCTAssertNotNil(trainer.callbackMetrics["train_loss_step"])
        XCTAssertNotNil(trainer.callbackMetrics["train_loss_epoch"])
        XCTAssertLessThan(trainer.callbackMetrics["val_loss"] ?? .infinity, initial * 0.8, "from \(initial) (the step schedule halves the rate every 3 steps)")
        XCTAssertEqual(Set(trainer.progressBarMetrics.keys), ["train_loss_step", "train_loss_epoch"])
    }

    func testManualOptimizationCountsOptimizerStepsAsGlobalSteps() throws {
        let module = try LineModule(hyperparameters: .init())
        module.automatic = false
        module.accumulation = 4
        let trainer = try makeTrainer(temporaryDirectory(), maxEpochs: 2, callbacks: [], loggers: [])
        try trainer.fit(module, train: loader(lineData(18), batchSize: 1))  // 18 batches: steps at 4, 8, 12, 16, 18
        XCTAssertEqual(trainer.globalStep, 2 * 5)
    }

    func testManualOptimizationRejectsTrainerAccumulationAndClipping() throws {
        let module = try LineModule(hyperparameters: .init())
        module.automatic = false
        let trainer = try makeTrainer(temporaryDirectory(), accumulate: 2)
        XCTAssertThrowsError(try trainer.fit(module, train: loader(lineData(4)))) {
            guard case TrainerError.misconfiguration = $0 else { return XCTFail("\($0)") }
        }
    }

    func testEpochMeansAreWeightedByBatchSize() throws {
        final class Constant: TrainingModule {
            let model = Module()
            init(hyperparameters: NoHyperparameters) throws {}
            func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? { nil }
            func validationStep(_ batch: [Float], index: Int, context: StepContext) throws {
                context.log("v", Double(batch[0]), batchSize: batch.count)
            }
            func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD([Tensor.zeros([1], requiresGrad: true)], lr: 1)) }
        }
        let trainer = try makeTrainer(temporaryDirectory())
        // Batches [1, 1, 1] and [4]: the weighted mean is (3·1 + 4) / 4 = 1.75, not (1 + 4) / 2.
        let metrics = try trainer.validate(try Constant(hyperparameters: .init()), val: loader([1, 1, 1, 4], batchSize: 3, shuffle: false))
        XCTAssertEqual(metrics["v"], 1.75)
    }

    func testMissingMonitoredKeyListsTheLoggedKeys() throws {
        let trainer = try makeTrainer(temporaryDirectory(), maxEpochs: 1, callbacks: [EarlyStopping(monitor: "val_acc")])
        XCTAssertThrowsError(try trainer.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(4)),
                                             val: loader(lineData(2), shuffle: false))) { error in
            XCTAssertTrue("\(error)".contains("val_acc") && "\(error)".contains("val_loss"), "\(error)")
        }
    }

    func testEarlyStoppingStopsAfterPatience() throws {
        let stopper = EarlyStopping(monitor: "val_loss", patience: 2)
        XCTAssertEqual(stopper.evaluate(1.0).0, false)
        XCTAssertEqual(stopper.evaluate(1.0).0, false)
        XCTAssertEqual(stopper.evaluate(1.1).0, true)
        let threshold = EarlyStopping(monitor: "val_loss", stoppingThreshold: 0.1)
        XCTAssertEqual(threshold.evaluate(0.05).0, true)
        XCTAssertEqual(EarlyStopping(monitor: "val_loss").evaluate(.nan).0, true)
    }

    func testFilenamesAreFormattedAsLightningDoes() {
        let metrics = ["epoch": 1.0, "step": 40, "val_loss": 0.41999]
        XCTAssertEqual(CheckpointFilename.format("rabies-{epoch:02d}-{val_loss:.2f}", metrics: metrics),
                       "rabies-epoch=01-val_loss=0.42")
        XCTAssertEqual(CheckpointFilename.format("{epoch}-{step}", metrics: metrics), "epoch=1-step=40")
        XCTAssertEqual(CheckpointFilename.format("{epoch:03d}_{missing:.1f}", metrics: metrics, autoInsertMetricName: false),
                       "001_0.0")
        XCTAssertEqual(CheckpointFilename.format("{val_loss:.3e}", metrics: metrics), "val_loss=4.200e-01")
    }

    func testTopKKeepsTheBestAndVersionsClashingNames() throws {
        let root = temporaryDirectory()
        let checkpoint = ModelCheckpoint(dirpath: root + "/ckpt", filename: "{epoch}", monitor: "val_loss", saveTopK: 2, saveLast: true)
        let trainer = try makeTrainer(root, maxEpochs: 4, callbacks: [checkpoint])
        try trainer.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(8)), val: loader(lineData(4, seed: 2), shuffle: false))
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/ckpt").sorted()
        XCTAssertEqual(files.count, 3, "two best plus last: \(files)")
        XCTAssertTrue(files.contains("last.h5"))
        XCTAssertEqual(checkpoint.bestKModels.count, 2)
        XCTAssertEqual(checkpoint.bestModelScore, checkpoint.bestKModels.values.min())
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.bestModelPath))
        // A second fit into the same directory versions clashing names instead of overwriting them.
        try FileManager.default.copyItem(atPath: root + "/ckpt/last.h5", toPath: root + "/ckpt/epoch=0.h5")
        let again = ModelCheckpoint(dirpath: root + "/ckpt", filename: "{epoch}", monitor: "val_loss", saveTopK: -1)
        try makeTrainer(root, maxEpochs: 1, callbacks: [again]).fit(try LineModule(hyperparameters: .init()), train: loader(lineData(8)),
                                                                    val: loader(lineData(4, seed: 2), shuffle: false))
        XCTAssertEqual(again.bestModelPath, root + "/ckpt/epoch=0-v1.h5", "epoch=0.h5 exists, so the new file is versioned")
        XCTAssertTrue(FileManager.default.fileExists(atPath: again.bestModelPath))
    }

    func testResumeAfterACrashIsBitwiseIdentical() throws {
        func weights(_ m: LineModule) -> [Float] { m.model.parameters.flatMap(\.scalars) }
        let data = lineData(14)
        // Uninterrupted.
        let full = try LineModule(hyperparameters: .init())
        try makeTrainer(temporaryDirectory(), maxEpochs: 3, callbacks: []).fit(full, train: loader(data, batchSize: 3))
        // Crash after step 7 (mid-epoch 2), with a checkpoint after every step, then resume from "last".
        let root = temporaryDirectory()
        let everyStep = { ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0, saveLast: true, everyNTrainSteps: 1) }
        let first = try LineModule(hyperparameters: .init())
        XCTAssertThrowsError(try makeTrainer(root, maxEpochs: 3, callbacks: [everyStep(), CrashAfterStep(step: 7)])
            .fit(first, train: loader(data, batchSize: 3)))
        let resumed = try LineModule(hyperparameters: .init())
        let counter = StepCounter()
        let trainer = try makeTrainer(root, maxEpochs: 3, callbacks: [everyStep(), counter])
        try trainer.fit(resumed, train: loader(data, batchSize: 3), ckptPath: "last")
        XCTAssertEqual(trainer.globalStep, 15)
        XCTAssertEqual(counter.steps, 15 - 7, "the resumed fit continues from step 7 instead of starting over")
        XCTAssertEqual(weights(resumed), weights(full), "bit-for-bit equal to the uninterrupted run")
    }

    func testFP16OverflowSkipsTheStepAndTheScheduler() throws {
        let module = try LineModule(hyperparameters: .init())
        module.overflowAt = [0]
        let before = module.model.parameters.flatMap(\.scalars)
        let trainer = try Trainer(maxEpochs: 1, limitTrainBatches: 1, numSanityValSteps: 0, enableProgressBar: false,
                                  enableCheckpointing: false, precision: .fp16, loggers: [])
        try trainer.fit(module, train: loader(lineData(4)))
        XCTAssertEqual(module.model.parameters.flatMap(\.scalars), before, "weights untouched")
        XCTAssertEqual(trainer.globalStep, 0)
        XCTAssertEqual(trainer.precisionPlugin.state["loss_scale"], 32768, "scale halved")
        XCTAssertEqual(trainer.schedulerConfigurations[0].scheduler.stepCount, 0, "no scheduler step on a skipped step")
    }

    func testMixedPrecisionTracksFloat32() throws {
        func finalLoss(_ precision: Precision) throws -> Double {
            let module = try LineModule(hyperparameters: .init())
            let trainer = try makeTrainer(temporaryDirectory(), maxEpochs: 10, precision: precision)
            try trainer.fit(module, train: loader(lineData(16)), val: loader(lineData(4, seed: 3), shuffle: false))
            return trainer.callbackMetrics["val_loss"] ?? .nan
        }
        let fp32 = try finalLoss(.fp32), fp16 = try finalLoss(.fp16), bf16 = try finalLoss(.bf16)
        XCTAssertEqual(fp16, fp32, accuracy: 0.01 + 0.05 * fp32)
        XCTAssertEqual(bf16, fp32, accuracy: 0.02 + 0.1 * fp32)
    }
}

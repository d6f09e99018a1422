import Foundation
import XCTest
import Volt
import VoltData
import VoltNN
import VoltTensor

/// Counts the validation loops of a fit.
final class ValidationCounter: Callback {
    var count = 0
    var atBatches: [Int] = []
    func onValidationEnd(_ trainer: Trainer) throws { count += 1 }
}

/// Records every training batch it sees, per epoch.
final class RecordingModule: TrainingModule {
    let model = Module()
    let weight = Tensor.zeros([1], requiresGrad: true)
    var batches: [Int: [[Float]]] = [:]
    init(hyperparameters: NoHyperparameters) throws {}
    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? {
        batches[context.epoch, default: []].append(batch)
        return (weight * 0).sum()
    }
    func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD([weight], lr: 0)) }
}

/// w ∈ ℝ², loss = 100 · (w₀ + w₁): every gradient is [100, 100], so a clip is visible in one SGD step.
final class SteepModule: TrainingModule {
    final class Net: Module { let w = Tensor.zeros([2], requiresGrad: true) }
    let model = Net()
    init(hyperparameters: NoHyperparameters) throws {}
    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? { model.w.sum() * 100 }
    func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD(model.parameters, lr: 1)) }
}

/// Calls `action` once, after the training batch `batch` of the first epoch.
final class AfterBatch: Callback {
    let batch: Int
    let action: () -> Void
    private var done = false
    init(_ batch: Int, _ action: @escaping () -> Void) { self.batch = batch; self.action = action }
    func onTrainBatchEnd(_ trainer: Trainer, batchIndex: Int) throws {
        guard !done, batchIndex == batch else { return }
        done = true
        action()
    }
}

final class TrainerFlagTests: XCTestCase {
    func trainer(_ root: String = temporaryDirectory(), maxEpochs: Int = 2, maxSteps: Int = -1, valCheckInterval: BatchLimit = 1.0,
                 checkValEveryNEpoch: Int = 1, limitTrain: BatchLimit = 1.0, fastDevRun: Int = 0, overfitBatches: Int = 0,
                 clip: Double? = nil, clipAlgorithm: GradientClipAlgorithm = .norm, precision: Precision = .fp32,
                 maxTime: Double? = nil, callbacks: [any Callback] = [], loggers: [any Logger]? = [],
                 checkpointing: Bool = false) throws -> Trainer {
        try Trainer(maxEpochs: maxEpochs, maxSteps: maxSteps, gradientClipVal: clip, gradientClipAlgorithm: clipAlgorithm,
                    valCheckInterval: valCheckInterval, checkValEveryNEpoch: checkValEveryNEpoch, limitTrainBatches: limitTrain,
                    numSanityValSteps: 0, logEveryNSteps: 1, fastDevRun: fastDevRun, overfitBatches: overfitBatches,
                    defaultRootDir: root, enableProgressBar: false, enableCheckpointing: checkpointing, precision: precision,
                    maxTime: maxTime, callbacks: callbacks, loggers: loggers)
    }

    func testMaxStepsEndsTheFitAtThatOptimizerStep() throws {
        let t = try trainer(maxEpochs: 5, maxSteps: 7)
        try t.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(20)))  // 10 steps per epoch
        XCTAssertEqual(t.globalStep, 7)
        XCTAssertEqual(t.currentEpoch, 0)
    }

    func testValCheckIntervalAsACountAndAsAFraction() throws {
        func validations(_ interval: BatchLimit) throws -> Int {
            let counter = ValidationCounter()
            try trainer(maxEpochs: 1, valCheckInterval: interval, callbacks: [counter])
                .fit(try LineModule(hyperparameters: .init()), train: loader(lineData(16)), val: loader(lineData(4), shuffle: false))
            return counter.count
        }
        XCTAssertEqual(try validations(.count(2)), 4, "8 batches: after 2, 4, 6 and 8")
        XCTAssertEqual(try validations(.fraction(0.5)), 2, "after 4 and 8")
        XCTAssertEqual(try validations(.count(3)), 3, "after 3, 6, and at the epoch's end")
    }

    func testCheckValEveryNEpoch() throws {
        let counter = ValidationCounter()
        try trainer(maxEpochs: 5, checkValEveryNEpoch: 2, callbacks: [counter])
            .fit(try LineModule(hyperparameters: .init()), train: loader(lineData(8)), val: loader(lineData(4), shuffle: false))
        XCTAssertEqual(counter.count, 2, "after epochs 2 and 4")
    }

    func testFastDevRunRunsOneBatchOfEachLoopAndWritesNothing() throws {
        let root = temporaryDirectory()
        let counter = ValidationCounter()
        let t = try Trainer(maxEpochs: 5, fastDevRun: 1, defaultRootDir: root, enableProgressBar: false, callbacks: [counter])
        try t.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(16)), val: loader(lineData(8), shuffle: false))
        XCTAssertEqual(t.globalStep, 1)
        XCTAssertEqual(counter.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), [], "no checkpoints, no logs")
    }

    func testOverfitBatchesTrainsOnTheSameFirstBatchesEveryEpoch() throws {
        let module = try RecordingModule(hyperparameters: .init())
        let data: [Float] = (0..<12).map(Float.init)
        try trainer(maxEpochs: 3, overfitBatches: 2).fit(module, train: loader(data, batchSize: 3, shuffle: true))
        XCTAssertEqual(module.batches[0], [[0, 1, 2], [3, 4, 5]], "the first batches in dataset order, unshuffled")
        XCTAssertEqual(module.batches[1], module.batches[0])
        XCTAssertEqual(module.batches[2], module.batches[0])
    }

    func testLimitTrainBatchesCountAndFraction() throws {
        let a = try trainer(maxEpochs: 1, limitTrain: .count(1))
        try a.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(16)))
        XCTAssertEqual(a.globalStep, 1, "1 is one batch")
        let b = try trainer(maxEpochs: 1, limitTrain: .fraction(1.0))
        try b.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(16)))
        XCTAssertEqual(b.globalStep, 8, "1.0 is all of them")
        let c = try trainer(maxEpochs: 1, limitTrain: .fraction(0.25))
        try c.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(16)))
        XCTAssertEqual(c.globalStep, 2)
    }

    func testGradientClippingByNormAndByValue() throws {
        let byNorm = try SteepModule(hyperparameters: .init())
        try trainer(maxEpochs: 1, limitTrain: .count(1), clip: 1, clipAlgorithm: .norm).fit(byNorm, train: loader([0]))
        // The gradient [100, 100] scaled to norm 1: each element 1/√2, and SGD with lr 1 moves w by that.
        for w in byNorm.model.w.scalars { XCTAssertEqual(w, -Float(1 / 2.0.squareRoot()), accuracy: 1e-6) }
        let byValue = try SteepModule(hyperparameters: .init())
        try trainer(maxEpochs: 1, limitTrain: .count(1), clip: 0.1, clipAlgorithm: .value).fit(byValue, train: loader([0]))
        XCTAssertEqual(byValue.model.w.scalars, [-0.1, -0.1])
        let unclipped = try SteepModule(hyperparameters: .init())
        try trainer(maxEpochs: 1, limitTrain: .count(1)).fit(unclipped, train: loader([0]))
        XCTAssertEqual(unclipped.model.w.scalars, [-100, -100])
    }

    func testEarlyStoppingEndsTheFit() throws {
        let module = try LineModule(lr: 0)  // nothing learns: val_loss never improves
        let stopper = EarlyStopping(monitor: "val_loss", patience: 2)
        let t = try trainer(maxEpochs: 20, callbacks: [stopper])
        try t.fit(module, train: loader(lineData(8)), val: loader(lineData(4), shuffle: false))
        XCTAssertEqual(stopper.stoppedEpoch, 2, "best at epoch 0, no improvement at 1 and 2")
        XCTAssertEqual(t.currentEpoch, 2)
        XCTAssertEqual(t.globalStep, 3 * 4)
    }

    func testLearningRateMonitorLogsTheScheduledRate() throws {
        let root = temporaryDirectory()
        let csv = try CSVLogger(rootDirectory: root)
        let t = try trainer(root, maxEpochs: 1, callbacks: [LearningRateMonitor()], loggers: [csv])
        try t.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(16)))
        let lines = try String(contentsOfFile: csv.metricsPath, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)  // CRLF, as Python's csv
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let column = try XCTUnwrap(header.firstIndex(of: "lr-Adam"), "\(header)")
        let rates = lines.dropFirst().compactMap { line -> Double? in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return column < fields.count ? Double(fields[column]) : nil
        }
        // The step schedule halves the rate every 3 optimizer steps; the monitor logs the rate each step used.
        XCTAssertEqual(rates, [0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125])
    }

    func testFP16LossScaleGrowsAfterCleanStepsAndHalvesOnOverflow() {
        let plugin = MixedPrecision(.fp16, initialScale: 1024, growthInterval: 3)
        let p = Tensor.zeros([2], requiresGrad: true)
        p.grad = Tensor(shape: [2], scalars: [1, 2])
        for _ in 0..<3 { XCTAssertTrue(plugin.shouldStep([p])) }
        XCTAssertEqual(plugin.lossScale, 2048, "doubled after 3 clean steps")
        XCTAssertEqual(plugin.growthTracker, 0)
        p.grad = Tensor(shape: [2], scalars: [.infinity, 2])
        XCTAssertFalse(plugin.shouldStep([p]))
        XCTAssertEqual(plugin.lossScale, 1024, "halved, and the step skipped")
    }

    func testFP16ResumeIsBitwiseIdentical() throws {
        func weights(_ m: LineModule) -> [Float] { m.model.parameters.flatMap(\.scalars) }
        let data = lineData(14)
        let full = try LineModule(hyperparameters: .init())
        full.overflowAt = [2]
        let plain = try trainer(maxEpochs: 3, precision: .fp16)
        try plain.fit(full, train: loader(data, batchSize: 3))
        let root = temporaryDirectory()
        let everyStep = { ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0, saveLast: true, everyNTrainSteps: 1) }
        let first = try LineModule(hyperparameters: .init())
        first.overflowAt = [2]
        XCTAssertThrowsError(try trainer(root, maxEpochs: 3, precision: .fp16, callbacks: [everyStep(), CrashAfterStep(step: 6)],
                                         checkpointing: true).fit(first, train: loader(data, batchSize: 3)))
        let resumed = try LineModule(hyperparameters: .init())
        let t = try trainer(root, maxEpochs: 3, precision: .fp16, callbacks: [everyStep()], checkpointing: true)
        try t.fit(resumed, train: loader(data, batchSize: 3), ckptPath: "last")
        XCTAssertEqual(t.precisionPlugin.state["loss_scale"], plain.precisionPlugin.state["loss_scale"])
        XCTAssertEqual(t.precisionPlugin.state["loss_scale"], 32768, "the overflow halved it once, and the halving was restored")
        XCTAssertEqual(weights(resumed), weights(full))
    }

    func testPreemptionSignalSavesLastThenResumesExactly() throws {
        func weights(_ m: LineModule) -> [Float] { m.model.parameters.flatMap(\.scalars) }
        let data = lineData(20)
        let full = try LineModule(hyperparameters: .init())
        try trainer(maxEpochs: 2).fit(full, train: loader(data))
        let root = temporaryDirectory()
        let signal = AfterBatch(3) {
            kill(getpid(), SIGUSR1)
            usleep(200_000)  // the signal is delivered on a dispatch queue; the trainer reads it at the next boundary
        }
        let first = try LineModule(hyperparameters: .init())
        XCTAssertThrowsError(try trainer(root, maxEpochs: 2, callbacks: [signal], checkpointing: true)
            .fit(first, train: loader(data))) { error in
            guard case let TrainerError.preempted(number, checkpoint) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(number, SIGUSR1)
            XCTAssertEqual(checkpoint.map { ($0 as NSString).lastPathComponent }, "last.h5")
            XCTAssertTrue(checkpoint.map { FileManager.default.fileExists(atPath: $0) } ?? false)
        }
        let resumed = try LineModule(hyperparameters: .init())
        let counter = StepCounter()
        let t = try trainer(root, maxEpochs: 2, callbacks: [counter], checkpointing: true)
        try t.fit(resumed, train: loader(data), ckptPath: "last")
        XCTAssertEqual(counter.steps, 20 - 4, "continues after the 4th step, where the signal stopped it")
        XCTAssertEqual(weights(resumed), weights(full))
    }

    func testMaxTimeSavesLastAndEndsTheFit() throws {
        let root = temporaryDirectory()
        let slow = AfterBatch(1) { usleep(300_000) }
        let t = try trainer(root, maxEpochs: 50, maxTime: 0.2, callbacks: [slow], checkpointing: true)
        try t.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(8)))
        XCTAssertEqual(t.globalStep, 2, "stopped at the first boundary after the time was up")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/checkpoints/last.h5"))
    }

    func testCkptPathLastFindsLastInTheDefaultVersionedFolder() throws {
        let root = temporaryDirectory()
        func fit(epochs: Int, ckptPath: String?) throws -> Int {
            let counter = StepCounter()
            let t = try Trainer(maxEpochs: epochs, numSanityValSteps: 0, defaultRootDir: root, enableProgressBar: false,
                                callbacks: [ModelCheckpoint(saveLast: true), counter])
            try t.fit(try LineModule(hyperparameters: .init()), train: loader(lineData(8)), ckptPath: ckptPath)
            return counter.steps
        }
        XCTAssertEqual(try fit(epochs: 2, ckptPath: nil), 8)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/volt_logs/version_0/checkpoints/last.h5"))
        XCTAssertEqual(try fit(epochs: 3, ckptPath: "last"), 4, "resumed from version_0's last.h5: only the third epoch runs")
    }

    func testDeterministicRefusesATimedBackendChoice() throws {
        setenv("VOLT_BACKEND", "auto", 1)
        defer { unsetenv("VOLT_BACKEND") }
        XCTAssertThrowsError(try Trainer(deterministic: true, enableProgressBar: false, loggers: [])) {
            XCTAssertTrue("\($0)".contains("VOLT_BACKEND=auto"), "\($0)")
        }
        XCTAssertNoThrow(try Trainer(deterministic: false, enableProgressBar: false, loggers: []))
        unsetenv("VOLT_BACKEND")
        XCTAssertNoThrow(try Trainer(deterministic: true, enableProgressBar: false, loggers: []))
    }
}

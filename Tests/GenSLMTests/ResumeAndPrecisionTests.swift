import Foundation
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltTensor

final class ResumeAndPrecisionTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func configuration(root: String, precision: Precision = .fp32) -> FineTuneConfiguration {
        var c = FineTuneConfiguration()
        c.data.path = FineTuneWorkflowTests.rabies
        c.data.numWorkers = 1
        c.data.maxLength = 96
        c.trainer.maxEpochs = 2
        c.trainer.precision = precision
        c.trainer.defaultRootDir = root
        c.trainer.enableProgressBar = false
        c.trainer.limitTrainBatches = 80
        c.trainer.limitValBatches = 10
        c.trainer.numSanityValSteps = 0
        c.trainer.loggers = []
        var mc = ModelCheckpointConfiguration()
        mc.dirpath = root + "/checkpoints"
        mc.saveTopK = 0
        mc.saveLast = true
        mc.everyNTrainSteps = 1
        c.trainer.callbacks = [.modelCheckpoint(mc)]
        return c
    }

    func lastWeights(_ root: String) throws -> [[Float]] {
        try Checkpoint.read(from: root + "/checkpoints/last.h5", weightsOnly: true).stateDict.map { $0.tensor.scalars }
    }

    /// `volt fit` killed with SIGKILL mid-run, then resumed from `last.h5`, ends bit-for-bit where an uninterrupted
    /// run ends.
    func testKilledFitResumesBitwiseIdentical() throws {
        let volt = Self.repository.appendingPathComponent(".build/release/volt").path
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: volt), "build the volt command first (swift build -c release)")
        let reference = NSTemporaryDirectory() + "volt-ref-\(UUID().uuidString)"
        _ = try FineTuneRun(configuration(root: reference)).fit()

        let root = NSTemporaryDirectory() + "volt-kill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let config = configuration(root: root)
        let yaml = root + "/config.yaml"
        let encoder = JSONEncoder()
        try encoder.encode(config).write(to: URL(fileURLWithPath: yaml))  // JSON is YAML
        let process = Process()
        process.executableURL = URL(fileURLWithPath: volt)
        process.arguments = ["fit", "--config", yaml]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        var killedAt = -1
        while process.isRunning && Date() < deadline {
            if let step = try? Checkpoint.read(from: root + "/checkpoints/last.h5", weightsOnly: true).metadata.globalStep, step >= 3 {
                kill(process.processIdentifier, SIGKILL)
                killedAt = step
                break
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        XCTAssertGreaterThanOrEqual(killedAt, 3, "the fit ended before it could be killed")
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        let resumed = try FineTuneRun(config).fit(ckptPath: "last")
        XCTAssertEqual(resumed.globalStep, 2 * 8, "80 batches with accumulation 10: 8 steps per epoch")
        XCTAssertEqual(try lastWeights(root), try lastWeights(reference), "bit-for-bit equal to the uninterrupted run")
    }

    /// genslm-tiny trained in fp16 and bf16 ends near the fp32 validation loss.
    func testMixedPrecisionLossTracksFloat32() throws {
        func loss(_ precision: Precision) throws -> Double {
            var c = configuration(root: NSTemporaryDirectory() + "volt-prec-\(UUID().uuidString)", precision: precision)
            c.module.lr = 1e-3
            c.trainer.callbacks = []
            c.trainer.enableCheckpointing = false
            let run = FineTuneRun(c)
            let module = try run.makeModule()
            let (dataset, train, val) = try run.makeData(maxPositions: 512)
            let trainer = try run.makeTrainer()
            try trainer.fit(module, train: dataset.loader(train, shuffle: true, seed: 42), val: dataset.loader(val!))
            return trainer.callbackMetrics["val_loss"] ?? .nan
        }
        let fp32 = try loss(.fp32), fp16 = try loss(.fp16), bf16 = try loss(.bf16)
        XCTAssertLessThan(fp32, log(69.0) - 0.3, "training lowered the loss")
        XCTAssertEqual(fp16, fp32, accuracy: 0.01 * fp32)
        XCTAssertEqual(bf16, fp32, accuracy: 0.03 * fp32)
    }
}

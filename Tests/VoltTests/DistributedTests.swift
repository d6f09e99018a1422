import Foundation
import XCTest
import Volt
import VoltData
import VoltNN
import VoltTensor

/// Data-parallel tests. They need two MPI ranks: the test command runs this class under
/// `mpirun -np 2 --oversubscribe`; in a plain `swift test` they are skipped.
final class DistributedTests: XCTestCase {
    override func setUpWithError() throws {
        guard let world = MPICommunicator.world, world.size == 2 else {
            throw XCTSkip("needs 2 MPI ranks (run by scripts/test.sh under mpirun -np 2)")
        }
    }

    func module() throws -> LineModule {
        try LineModule(dropout: 0)  // both layouts must compute the same function
    }

    func trainer(_ strategy: (any Strategy)?, root: String, callbacks: [any Callback] = [], maxEpochs: Int = 2) throws -> Trainer {
        try Trainer(maxEpochs: maxEpochs, numSanityValSteps: 0, defaultRootDir: root, enableProgressBar: false,
                    strategy: strategy, callbacks: callbacks, loggers: [])
    }

    func testTwoRanksWithBatchBEqualOneRankWithBatch2B() throws {
        let data = lineData(24)
        let parallel = try module()
        let dataLoader = DataLoader(ArrayDataset(data), batchSize: 3) { $0 }  // sequential: shards interleave
        let ddp = try DDPStrategy(bucketBytes: 4)  // one bucket per parameter: both reduce during backward
        try trainer(ddp, root: temporaryDirectory(), callbacks: []).fit(parallel, train: dataLoader)
        XCTAssertEqual(ddp.bucketsOverlapped, 2 * 4 * 2, "2 buckets per step, 4 steps per epoch, 2 epochs, all during backward")

        let single = try module()
        let singleLoader = DataLoader(ArrayDataset(data), batchSize: 6) { $0 }
        try trainer(SingleDeviceStrategy(), root: temporaryDirectory()).fit(single, train: singleLoader)
        let a = parallel.model.parameters.flatMap(\.scalars), b = single.model.parameters.flatMap(\.scalars)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5) }
    }

    func testCheckpointFromTwoRanksResumesOnOne() throws {
        let strategy = try DDPStrategy()
        // Rank 0 picks the directory and tells rank 1, so both name the same files.
        var token = [Double(strategy.rank == 0 ? Double(UInt32.random(in: 1..<UInt32.max)) : 0)]
        strategy.allReduceSum(&token)
        let root = NSTemporaryDirectory() + "volt-ddp-\(Int(token[0]))"
        let checkpoint = ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0, saveLast: true)
        try trainer(strategy, root: root, callbacks: [checkpoint]).fit(try module(), train: loader(lineData(16)))
        strategy.barrier()
        guard strategy.rank == 0 else { return }
        let resumed = try module()
        let single = try trainer(SingleDeviceStrategy(), root: root, callbacks: [ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0)],
                                 maxEpochs: 3)
        try single.fit(resumed, train: loader(lineData(16)), ckptPath: "last")
        XCTAssertEqual(single.globalStep, 2 * 4 + 8, "2 epochs of 4 steps per rank, then an epoch of 8 on one rank")
    }
}

extension DistributedTests {
    func testZeroStageOneEqualsDDPAndItsCheckpointHoldsTheFullState() throws {
        let data = lineData(24)
        func train(_ strategy: any Strategy, root: String, callbacks: [any Callback] = []) throws -> LineModule {
            let m = try module()
            try trainer(strategy, root: root, callbacks: callbacks).fit(m, train: DataLoader(ArrayDataset(data), batchSize: 3) { $0 })
            return m
        }
        let ddp = try train(try DDPStrategy(), root: temporaryDirectory())
        var token = [Double(UInt32.random(in: 1..<UInt32.max))]
        let zero = try ZeroStrategy()
        if zero.rank != 0 { token = [0] }
        zero.allReduceSum(&token)
        let root = NSTemporaryDirectory() + "volt-zero-\(Int(token[0]))"
        let sharded = try train(zero, root: root, callbacks: [ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0, saveLast: true)])
        let a = ddp.model.parameters.flatMap(\.scalars), b = sharded.model.parameters.flatMap(\.scalars)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6) }
        zero.barrier()
        let saved = try Checkpoint.read(from: root + "/ckpt/last.h5")
        XCTAssertEqual(saved.optimizers[0].tensors.count, 2, "both parameters' moments, gathered from their owners")
    }
}

/// Logs a validation metric that differs on each rank: `rank` itself, with or without `syncDist`.
final class RankMetricModule: TrainingModule {
    let model = Module()
    let weight = Tensor.zeros([1], requiresGrad: true)
    let rank: Int
    let synchronized: Bool
    init(rank: Int, synchronized: Bool) { self.rank = rank; self.synchronized = synchronized }
    init(hyperparameters: NoHyperparameters) throws { rank = 0; synchronized = false }
    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? { (weight * 0).sum() }
    func validationStep(_ batch: [Float], index: Int, context: StepContext) throws {
        context.log("val_rank", Double(rank), syncDist: synchronized)
    }
    func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD([weight], lr: 0)) }
}

extension DistributedTests {
    /// A directory every rank names alike (rank 0 draws it).
    func sharedDirectory(_ strategy: any Strategy, _ name: String) -> String {
        var token = [Double(strategy.rank == 0 ? Double(UInt32.random(in: 1..<UInt32.max)) : 0)]
        strategy.allReduceSum(&token)
        return NSTemporaryDirectory() + "volt-\(name)-\(Int(token[0]))"
    }

    func testSyncDistAveragesAcrossRanks() throws {
        let strategy = try DDPStrategy()
        let t = try trainer(strategy, root: temporaryDirectory())
        let metrics = try t.validate(RankMetricModule(rank: strategy.rank, synchronized: true), val: loader(lineData(8), shuffle: false))
        XCTAssertEqual(metrics["val_rank"], 0.5, "the mean of rank 0's 0 and rank 1's 1, on both ranks")
    }

    func testRanksThatWouldDisagreeOnACheckpointDecisionAgreeAndFinish() throws {
        // Each rank logs its own value without syncDist: without agreement, rank 1 (score 1) and rank 0 (score 0)
        // would rank the epochs differently, one would enter a collective save alone, and the job would hang.
        let strategy = try DDPStrategy()
        let root = sharedDirectory(strategy, "agree")
        let checkpoint = ModelCheckpoint(dirpath: root + "/ckpt", monitor: "val_rank", mode: .max, saveTopK: 1)
        let stopper = EarlyStopping(monitor: "val_rank", patience: 1, mode: .max)
        let t = try trainer(strategy, root: root, callbacks: [checkpoint, stopper], maxEpochs: 5)
        try t.fit(RankMetricModule(rank: strategy.rank, synchronized: false), train: loader(lineData(8)), val: loader(lineData(4), shuffle: false))
        XCTAssertEqual(checkpoint.bestModelScore, 0.5, "the monitored metric was reduced across ranks before the callback read it")
        XCTAssertEqual(stopper.stoppedEpoch, 1, "both ranks stopped together after one epoch without improvement")
        // A stable checksum of the path (Swift's hashValue is seeded per process).
        var paths = [Double(checkpoint.bestModelPath.utf8.enumerated().reduce(0) { $0 + ($1.offset + 1) * Int($1.element) })]
        let mine = paths[0]
        strategy.allReduceSum(&paths)
        XCTAssertEqual(paths[0], 2 * mine, "both ranks name the same best checkpoint")
    }

    func testManualFP16AccumulationOnTwoRanksEqualsOneRankWithTwiceTheBatch() throws {
        // The headline workflow's shape: manual optimization, fp16 loss scaling, an optimizer step every 4 batches
        // (and at the last). Two ranks with batch 1 see the samples one rank sees in batches of 2.
        let data = lineData(16)
        func fit(_ strategy: any Strategy, batchSize: Int) throws -> [Float] {
            let m = try module()
            m.automatic = false
            m.accumulation = 4
            let t = try Trainer(maxEpochs: 2, numSanityValSteps: 0, defaultRootDir: temporaryDirectory(), enableProgressBar: false,
                                enableCheckpointing: false, precision: .fp16, strategy: strategy, loggers: [])
            try t.fit(m, train: DataLoader(ArrayDataset(data), batchSize: batchSize) { $0 })
            return m.model.parameters.flatMap(\.scalars)
        }
        let parallel = try fit(try DDPStrategy(), batchSize: 1)
        let single = try fit(SingleDeviceStrategy(), batchSize: 2)
        for (x, y) in zip(parallel, single) { XCTAssertEqual(x, y, accuracy: 2e-3, "fp16 rounds activations: tolerance 2e-3") }
    }
}

extension DistributedTests {
    func testResumeFromAMidAccumulationCheckpointRestoresEveryRanksPendingGradients() throws {
        // Manual accumulation over 4 batches; validation (and so a checkpoint) after every 3rd batch: the checkpoints
        // at batches 3, 6, 9 hold gradients that differ per rank. A resumed run must equal the uninterrupted one.
        let strategy = try DDPStrategy()
        let data = lineData(32)
        func fit(root: String, callbacks: [any Callback], ckptPath: String? = nil) throws -> LineModule {
            let m = try module()
            m.automatic = false
            m.accumulation = 4
            let t = try Trainer(maxEpochs: 1, valCheckInterval: .count(3), numSanityValSteps: 0, defaultRootDir: root,
                                enableProgressBar: false, strategy: strategy, callbacks: callbacks, loggers: [])
            try t.fit(m, train: DataLoader(ArrayDataset(data), batchSize: 1) { $0 }, val: loader(lineData(4), shuffle: false),
                      ckptPath: ckptPath)
            return m
        }
        let full = try fit(root: temporaryDirectory(), callbacks: [])
        let root = sharedDirectory(strategy, "pending")
        let save = { ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0, saveLast: true) }
        XCTAssertThrowsError(try fit(root: root, callbacks: [save(), CrashAfterStep(step: 2)]))  // at batch 8, after the checkpoint at 6
        let saved = try Checkpoint.read(from: root + "/ckpt/last.h5")
        XCTAssertEqual(saved.loops["batch_index"], 6, "the checkpoint is mid-accumulation (steps at 4, 8, 12)")
        XCTAssertTrue(saved.gradients.contains { $0.name.hasPrefix("rank1/") }, "rank 1's pending gradients are saved")
        let resumed = try fit(root: root, callbacks: [save()], ckptPath: "last")
        XCTAssertEqual(resumed.model.parameters.flatMap(\.scalars), full.model.parameters.flatMap(\.scalars))
    }
}

extension DistributedTests {
    func testPredictSharesWithoutRepeatsAndGathersInDatasetOrder() throws {
        let data = lineData(7)  // odd: the training sampler would repeat index 0 on rank 1
        let ddp = try DDPStrategy()
        let writer = RecordingWriter(.batchAndEpoch)
        let parallel = try Trainer(defaultRootDir: temporaryDirectory(), enableProgressBar: false, enableCheckpointing: false,
                                   strategy: ddp, callbacks: [writer], loggers: [])
        let module = try module()
        let predictions = try parallel.predict(module, loader(data, batchSize: 2, shuffle: true))
        let mine = writer.batches.flatMap { $0 }
        XCTAssertEqual(Set(mine).count, mine.count, "no example twice on one rank")
        var counts = [Double](repeating: 0, count: 7)
        for i in mine { counts[i] += 1 }
        ddp.allReduceSum(&counts)
        XCTAssertEqual(counts, [Double](repeating: 1, count: 7), "every example predicted by exactly one rank")
        XCTAssertEqual(predictions.map(\.index), Array(0..<7), "gathered back in dataset order")
        XCTAssertEqual(writer.epoch, ddp.rank == 0 ? Array(0..<7) : nil, "the epoch writer runs on rank 0 with everything")
        let single = try Trainer(defaultRootDir: temporaryDirectory(), enableProgressBar: false, enableCheckpointing: false,
                                 strategy: SingleDeviceStrategy(), loggers: [])
            .predict(module, loader(data, batchSize: 2, shuffle: false))
        XCTAssertEqual(predictions.map(\.output.scalars), single.map(\.output.scalars))
    }
}

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
        try LineModule(hyperparameters: ["dropout": .double(0)])  // both layouts must compute the same function
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

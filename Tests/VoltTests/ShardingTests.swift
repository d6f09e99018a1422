import Foundation
import XCTest
import Volt
import VoltData
import VoltNN
import VoltTensor

/// Sharded data parallelism equals DDP. The test command runs this class under `mpirun` with 2 and with 4 ranks
/// (`--oversubscribe`); in a plain `swift test` it is skipped.
///
/// Tolerance: on 2 ranks every gradient element is the same sum of two numbers under both strategies, so the
/// weights must be equal bit for bit. On more ranks MPI's all-reduce and reduce-scatter may add in different
/// orders, and zero3 averages each micro-step's gradients before adding them (DDP adds, then averages), so
/// weights may differ in the last bits: 1e-6 relative (1e-7 absolute near zero).
final class ShardingTests: XCTestCase {
    override func setUpWithError() throws {
        guard let world = MPICommunicator.world, world.size >= 2 else {
            throw XCTSkip("needs 2 or more MPI ranks (run by scripts/test.sh under mpirun -np 2 and -np 4)")
        }
    }

    /// One way to train: precision, optimization mode, accumulation window and gradient-norm clipping.
    struct Case: CustomStringConvertible {
        var precision = Precision.fp32
        var automatic = true
        var accumulation = 2
        var clip: Double? = 0.05
        /// Global batch indices whose loss is inf on rank 1 only (an fp16 overflow one rank sees).
        var overflowAt: Set<Int> = []
        var description: String { "\(precision) \(automatic ? "automatic" : "manual") accumulation \(accumulation) clip \(clip.map { "\($0)" } ?? "none")" }
    }

    /// The weights after two epochs of 32 samples in batches of 2 per rank.
    func fit(_ strategy: any Strategy, _ c: Case) throws -> [Float] {
        let m = MLPModule()
        m.automatic = c.automatic
        m.accumulation = c.accumulation
        m.clip = c.automatic ? nil : c.clip
        if strategy.rank == 1 { m.overflowAt = c.overflowAt }
        let t = try Trainer(maxEpochs: 2, accumulateGradBatches: c.automatic ? c.accumulation : 1,
                            gradientClipVal: c.automatic ? c.clip : nil, numSanityValSteps: 0,
                            defaultRootDir: temporaryDirectory(), enableProgressBar: false, enableCheckpointing: false,
                            precision: c.precision, strategy: strategy, loggers: [])
        try t.fit(m, train: DataLoader(ArrayDataset(lineData(32)), batchSize: 2) { $0 })
        return m.model.parameters.flatMap(\.scalars)
    }

    func assertMatches(_ sharded: [Float], _ ddp: [Float], worldSize: Int, _ label: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(sharded.count, ddp.count, label, file: file, line: line)
        if worldSize == 2 {
            XCTAssertEqual(sharded, ddp, "\(label): bitwise on 2 ranks", file: file, line: line)
            return
        }
        for (x, y) in zip(sharded, ddp) {
            XCTAssertEqual(x, y, accuracy: 1e-6 * Swift.max(abs(y), 0.1), label, file: file, line: line)
        }
    }

    /// fp32, fp16 (with an overflow on one rank) and bf16; automatic and manual; accumulation and clipping.
    let cases = [
        Case(),
        Case(automatic: false),
        Case(precision: .fp16, overflowAt: [3]),
        Case(precision: .fp16, automatic: false, clip: nil),
        Case(precision: .bf16),
        Case(precision: .bf16, automatic: false, accumulation: 1),
        Case(accumulation: 1),
        Case(precision: .fp16, accumulation: 1),
    ]

    func testZeroStageTwoEqualsDDP() throws {
        let initial = MLPModule().model.parameters.flatMap(\.scalars)
        for c in cases {
            let ddp = try fit(try DDPStrategy(), c)
            XCTAssertNotEqual(ddp, initial, "\(c): training moved the weights")
            // Small buckets: several per step, some parameters alone, some ranks owning nothing in a bucket.
            let zero = try Zero2Strategy(bucketBytes: 128)
            let sharded = try fit(zero, c)
            assertMatches(sharded, ddp, worldSize: zero.worldSize, "\(c)")
            // Automatic optimization announces the synchronizing backward: buckets reduce-scatter during it.
            if c.automatic { XCTAssertGreaterThan(zero.bucketsOverlapped, 0, "\(c): reduce-scatters started during backward") }
        }
    }

    func testZeroStageThreeEqualsDDP() throws {
        let initial = MLPModule().model.parameters.flatMap(\.scalars)
        for c in cases {
            let ddp = try fit(try DDPStrategy(), c)
            let zero = try Zero3Strategy(bucketBytes: 128)
            let sharded = try fit(zero, c)
            XCTAssertNotEqual(sharded, initial, "\(c): training moved the weights")
            // Gradients are averaged per micro-step and then added (DDP adds, then averages): bitwise only without
            // accumulation on 2 ranks.
            assertMatches(sharded, ddp, worldSize: c.accumulation == 1 ? zero.worldSize : 0, "zero3 \(c)")
        }
    }

    func testZeroStageThreeKeepsOnlyOwnedLayerParametersAtRestAndGathersThemBack() throws {
        let zero = try Zero3Strategy()
        let m = MLPModule(width: 64, bias: false)  // 16 KiB weights: whole pages to release
        zero.broadcast(m.model.parameters)
        let before = m.model.blocks.map(\.linear.weight.scalars)
        zero.setUp(m.model, parameters: m.model.parameters)
        let changed = zip(m.model.blocks, before).filter { $0.0.linear.weight.scalars != $0.1 }.count
        XCTAssertEqual(changed, zero.releasedParameterCount, "each weight another rank owns is released here")
        XCTAssertTrue(m.model.layerRunner === zero)
        zero.withFullParameters {
            XCTAssertEqual(m.model.blocks.map(\.linear.weight.scalars), before, "gathered whole for a checkpoint")
        }
        zero.tearDown(m.model)
        XCTAssertEqual(m.model.blocks.map(\.linear.weight.scalars), before, "whole again after the fit")
        XCTAssertNil(m.model.layerRunner)
    }

    /// Forward: layer 0 is gathered as it runs and each later layer's gather starts while the one before computes;
    /// backward: the last layer is gathered, and each earlier one's gather starts while the one after computes.
    func testZeroStageThreePrefetchesTheNextLayerWhileOneComputesAndHoldsAtMostTwo() throws {
        let zero = try Zero3Strategy()
        let depth = 4
        let m = MLPModule(depth: depth)
        zero.broadcast(m.model.parameters)
        let reference = MLPModule(depth: depth)
        zero.broadcast(reference.model.parameters)
        zero.setUp(m.model, parameters: m.model.parameters)
        let x = Tensor(shape: [2, 1], scalars: [Float(zero.rank), 0.5])
        let loss = m.loss(x)
        XCTAssertEqual(zero.prefetchedLayerGathers, depth - 1, "forward: every layer after the first was prefetched")
        loss.backward()
        XCTAssertEqual(zero.prefetchedLayerGathers, 2 * (depth - 1), "backward: every layer before the last was prefetched")
        XCTAssertEqual(zero.blockingLayerGathers, 2, "only the first layer of each pass waits for its gather")
        XCTAssertEqual(zero.mostLayersGathered, 2, "the layer computing and the one on its way")
        // The prefetched parameters are the owners' values: the loss is the unsharded model's.
        XCTAssertEqual(loss.scalars, reference.loss(x).scalars)
        zero.reduceGradients(m.model.parameters)
        zero.tearDown(m.model)
        XCTAssertEqual(m.model.parameters.flatMap(\.scalars), reference.model.parameters.flatMap(\.scalars))
    }

    func testZeroStageTwoLeavesEachRankOnlyItsOwnGradientsAndAgreesOnTheNorm() throws {
        let zero = try Zero2Strategy(bucketBytes: 128)
        let m = MLPModule()
        let parameters = m.model.parameters
        zero.broadcast(parameters)
        let x = Tensor(shape: [2, 1], scalars: [Float(zero.rank), 0.5])
        m.loss(x).backward()
        zero.reduceGradients(parameters)
        let held = parameters.map { $0.grad != nil ? 1.0 : 0.0 }
        var counts = held
        zero.allReduceSum(&counts)
        XCTAssertEqual(counts, [Double](repeating: 1, count: parameters.count), "each gradient lives on exactly one rank")
        let norm = zero.clipGradientNorm(parameters, maxNorm: 1e9)
        XCTAssertGreaterThan(norm, 0)
        XCTAssertEqual(zero.rankZeroValue(norm), norm, "every rank computes rank 0's global norm")
        XCTAssertTrue(zero.gradientsAreFinite(parameters))
    }

    func testShardedCheckpointResumesExactlyOnTheSameRanksAndConsolidatesIntoOneFile() throws {
        try checkShardedCheckpoint(try Zero2Strategy())
        try checkShardedCheckpoint(try Zero3Strategy())
    }

    func checkShardedCheckpoint(_ zero: any Strategy, file: StaticString = #filePath, line: UInt = #line) throws {
        var token = [Double(zero.rank == 0 ? Double(UInt32.random(in: 1..<UInt32.max)) : 0)]
        zero.allReduceSum(&token)
        let root = NSTemporaryDirectory() + "volt-\(type(of: zero))-\(Int(token[0]))"
        func fit(epochs: Int, save: Bool, ckptPath: String? = nil) throws -> [Float] {
            let m = MLPModule()
            let callbacks: [any Callback] = save ? [ModelCheckpoint(dirpath: root + "/ckpt", saveTopK: 0, saveLast: true)] : []
            let t = try Trainer(maxEpochs: epochs, numSanityValSteps: 0, defaultRootDir: root, enableProgressBar: false,
                                enableCheckpointing: save, strategy: zero, callbacks: callbacks, loggers: [])
            try t.fit(m, train: DataLoader(ArrayDataset(lineData(16)), batchSize: 2) { $0 }, ckptPath: ckptPath)
            return m.model.parameters.flatMap(\.scalars)
        }
        let uninterrupted = try fit(epochs: 2, save: false)
        _ = try fit(epochs: 1, save: true)
        let folder = root + "/ckpt/last.h5"
        XCTAssertTrue(ShardedCheckpoint.isSharded(folder))
        let mine = try Checkpoint.read(from: ShardedCheckpoint.shardPath(folder, rank: zero.rank))
        XCTAssertEqual(mine.stateDict.isEmpty, zero.rank != 0, "only rank 0's file holds the weights")
        var owned = [Double(mine.optimizers[0].tensors.count)]
        zero.allReduceSum(&owned)
        XCTAssertEqual(Int(owned[0]), MLPModule().model.parameters.count, "every parameter's moments, each in its owner's file")
        XCTAssertThrowsError(try ShardedCheckpoint.read(folder, rank: zero.rank, worldSize: zero.worldSize + 1))

        let resumed = try fit(epochs: 2, save: true, ckptPath: "last")
        XCTAssertEqual(resumed, uninterrupted, "resuming from the shards equals the uninterrupted run bit for bit")
        let ddp = try Trainer(maxEpochs: 3, numSanityValSteps: 0, defaultRootDir: root, enableProgressBar: false,
                              enableCheckpointing: false, strategy: try DDPStrategy(), loggers: [])
        try ddp.fit(MLPModule(), train: DataLoader(ArrayDataset(lineData(16)), batchSize: 2) { $0 }, ckptPath: folder)
        XCTAssertEqual(ddp.globalStep, 3 * 16 / zero.worldSize / 2, "DDP, which keeps the whole state, reads the shards merged")
        zero.barrier()
        guard zero.rank == 0 else { return }
        try ShardedCheckpoint.consolidate(folder).write(to: root + "/whole.h5")
        let whole = try Checkpoint.read(from: root + "/whole.h5")
        XCTAssertEqual(whole.optimizers[0].tensors.count, MLPModule().model.parameters.count, "every parameter's moments in one file")
        XCTAssertEqual(whole.metadata.globalStep, 2 * 16 / zero.worldSize / 2, "two epochs of 16 samples, batches of 2 per rank")
    }
}

/// A perceptron on one input feature: an input projection, two hidden layers (run through a ``LayerRunner`` when
/// one is installed, as a transformer's layers are) and an output projection — parameters of unequal sizes, so
/// that ranks own different amounts and buckets split between owners.
final class MLPModule: TrainingModule {
    final class Block: Module {
        let linear: Linear
        init(width: Int, bias: Bool, generator: inout RandomGenerator) {
            linear = Linear(width, width, bias: bias, std: 0.3, generator: &generator)
        }
    }

    final class Net: Module, LayeredModule {
        let input: Linear
        let blocks: [Block]
        let output: Linear
        var layerRunner: (any LayerRunner)?
        var runnableLayers: [Module] { blocks }

        init(width: Int, bias: Bool, depth: Int = 2) {
            var generator = RandomGenerator(seed: 5)
            input = Linear(1, width, std: 0.5, generator: &generator)
            blocks = (0..<depth).map { _ in Block(width: width, bias: bias, generator: &generator) }
            output = Linear(width, 1, std: 0.3, generator: &generator)
        }

        func callAsFunction(_ x: Tensor) -> Tensor {
            var h = input(x).tanh()
            for block in blocks {
                if let layerRunner { h = layerRunner.run(block, h, stream: nil) { block.linear($0).tanh() } }
                else { h = block.linear(h).tanh() }
            }
            return output(h)
        }
    }

    let model: Net
    var automatic = true
    var accumulation = 1
    /// Gradient-norm clipping through the context (manual optimization).
    var clip: Double?
    var overflowAt: Set<Int> = []
    private var seen = 0

    var automaticOptimization: Bool { automatic }
    init(width: Int = 8, bias: Bool = true, depth: Int = 2) { model = Net(width: width, bias: bias, depth: depth) }
    init(hyperparameters: NoHyperparameters) throws { model = Net(width: 8, bias: true) }

    func loss(_ x: Tensor) -> Tensor { (model(x) - (x * x - x * 2 + 1)).pow(2).mean() }

    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? {
        var loss = self.loss(Tensor(shape: [batch.count, 1], scalars: batch))
        if overflowAt.contains(seen) { loss = loss * Float.infinity }
        seen += 1
        if automatic { return loss }
        try context.manualBackward(loss / Float(accumulation))
        if (index + 1) % accumulation == 0 || context.isLastBatch {
            if let clip { context.clipGradients(context.optimizer, maxNorm: clip) }
            try context.optimizer.step()
            context.optimizer.zeroGrad()
        }
        return nil
    }

    func configureOptimizers() throws -> OptimizerConfiguration { .init(Adam(model.parameters, lr: 0.02)) }
}

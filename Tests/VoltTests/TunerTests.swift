import Foundation
import XCTest
import Volt
import VoltData
import VoltNN
import VoltTensor

/// Least squares on a design whose Hessian is exactly diag(1, 0.5, 0.25, 0.1): gradient descent is stable for
/// learning rates below 2/L = 2 and diverges above.
final class QuadraticModule: TrainingModule {
    final class Net: Module {
        let weight = Tensor.zeros([4, 1], requiresGrad: true)
    }
    static let curvatures: [Float] = [1, 0.5, 0.25, 0.1]
    static let target: [Float] = [1, -2, 3, 0.5]

    let model = Net()
    init(hyperparameters: NoHyperparameters) throws {}

    /// 256 rows; column j is ±sqrt(λ_j) by bit j of the row (Walsh columns: orthogonal and balanced, so XᵀX/N is
    /// exactly diag(λ)), and y = x·w* plus noise, so the loss does not fall to zero.
    static func rows(seed: UInt64 = 5) -> [[Float]] {
        var g = RandomGenerator(seed: seed)
        return (0..<256).map { i in
            let x = (0..<4).map { j in (i >> j) & 1 == 1 ? -curvatures[j].squareRoot() : curvatures[j].squareRoot() }
            let y = zip(x, target).map(*).reduce(0, +) + (g.nextUniform() - 0.5)
            return x + [y]
        }
    }

    func trainingStep(_ batch: [[Float]], index: Int, context: StepContext) throws -> Tensor? {
        let x = Tensor(shape: [batch.count, 4], scalars: batch.flatMap { $0.prefix(4) })
        let y = Tensor(shape: [batch.count, 1], scalars: batch.map { $0[4] })
        return (x.matmul(model.weight) - y).pow(2).mean() * 0.5
    }

    func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD(model.parameters, lr: 0.1)) }
}

final class TunerTests: XCTestCase {
    func quiet(maxEpochs: Int = 1) throws -> Trainer {
        try Trainer(maxEpochs: maxEpochs, numSanityValSteps: 0, enableProgressBar: false, enableCheckpointing: false, loggers: [])
    }

    func testLRFindOnAQuadraticSuggestsAStableRateAndStopsAfterDivergence() throws {
        let module = try QuadraticModule(hyperparameters: .init())
        let data = DataLoader(ArrayDataset(QuadraticModule.rows()), batchSize: 8, shuffle: true, seed: 3) { $0 }
        let result = try Tuner(try quiet()).lrFind(module, train: data, minLR: 1e-2, maxLR: 10, numTraining: 100)
        let stabilityLimit = 2.0 / 1.0  // 2 / largest curvature
        XCTAssertTrue(result.stoppedEarly, "the loss must diverge before lr reaches 10")
        XCTAssertLessThan(result.points.count, 100)
        XCTAssertGreaterThan(result.points.last!.lr, stabilityLimit, "divergence can only start above 2/L")
        let suggestion = try XCTUnwrap(result.suggestion)
        XCTAssertGreaterThan(suggestion, 1e-2)
        XCTAssertLessThan(suggestion, stabilityLimit, "the suggestion lies in the stable range")
        // The ladder: evenly spaced in log space from minLR, one rate per optimizer step.
        XCTAssertEqual(result.points[0].lr, 1e-2, accuracy: 1e-15)
        XCTAssertEqual(result.points[1].lr / result.points[0].lr, pow(1000, 1 / 99.0), accuracy: 1e-12)
        // The first smoothed value is the loss itself (bias-corrected average); the smoothing follows beta 0.98.
        XCTAssertEqual(result.points[0].loss, result.points[0].rawLoss, accuracy: 1e-12)
        let expected1 = (0.98 * 0.02 * result.points[0].rawLoss + 0.02 * result.points[1].rawLoss) / (1 - 0.98 * 0.98)
        XCTAssertEqual(result.points[1].loss, expected1, accuracy: 1e-9)
        // The weights the sweep moved are back at zero.
        XCTAssertEqual(module.model.weight.scalars, [0, 0, 0, 0])
    }

    func testLRFindUnderManualOptimizationRestoresEverythingAndAFollowingFitIsUnchanged() throws {
        try checkLRFindLeavesNoTrace(automatic: false)
    }

    func testLRFindUnderAutomaticOptimizationRestoresTheSchedulerAndAFollowingFitIsUnchanged() throws {
        try checkLRFindLeavesNoTrace(automatic: true)
    }

    /// lrFind, then fit, gives the same weights bit for bit as fit alone (dropout streams, Adam moments, the
    /// step scheduler and the loop counters are all put back).
    func checkLRFindLeavesNoTrace(automatic: Bool) throws {
        func makeModule() throws -> LineModule {
            let m = try LineModule(hyperparameters: .init())
            m.automatic = automatic
            m.accumulation = automatic ? 1 : 2
            return m
        }
        let data = loader(lineData(16), batchSize: 2)
        let tuned = try makeModule()
        let before = tuned.model.namedTensors().map { $0.1.scalars }
        let streamBefore = tuned.model._stream.generator
        let trainer = try quiet(maxEpochs: 2)
        let result = try Tuner(trainer).lrFind(tuned, train: data, minLR: 1e-5, maxLR: 1, numTraining: 20,
                                               earlyStopThreshold: nil)
        XCTAssertEqual(result.points.count, 20, "8 batches per epoch (4 steps with accumulation 2): 20 steps span epochs")
        XCTAssertEqual(trainer.globalStep, 0)
        XCTAssertEqual(tuned.model._stream.generator, streamBefore)
        let after = tuned.model.namedTensors().map { $0.1.scalars }
        XCTAssertEqual(before.map { $0.map(\.bitPattern) }, after.map { $0.map(\.bitPattern) }, "weights restored bit for bit")

        try trainer.fit(tuned, train: data)
        let reference = try makeModule()
        try quiet(maxEpochs: 2).fit(reference, train: data)
        XCTAssertEqual(trainer.globalStep, automatic ? 16 : 8)
        for ((name, a), (_, b)) in zip(tuned.model.namedTensors(), reference.model.namedTensors()) {
            XCTAssertEqual(a.scalars.map(\.bitPattern), b.scalars.map(\.bitPattern), "\(name) differs after lrFind + fit")
        }
    }

    func testLRFindRecordsAStepSkippedByFP16OverflowAsNaNAndRestoresTheLossScale() throws {
        let module = try LineModule(hyperparameters: .init())
        module.overflowAt = [2]
        let trainer = try Trainer(numSanityValSteps: 0, enableProgressBar: false, enableCheckpointing: false,
                                  precision: .fp16, loggers: [])
        let result = try Tuner(trainer).lrFind(module, train: loader(lineData(16), batchSize: 2), minLR: 1e-4, maxLR: 1e-1,
                                               numTraining: 12, earlyStopThreshold: nil)
        XCTAssertEqual(result.points.count, 12)
        XCTAssertTrue(result.points[2].loss.isNaN, "the skipped step has no smoothed loss")
        XCTAssertTrue(result.points.enumerated().allSatisfy { $0.offset == 2 || $0.element.loss.isFinite })
        let plugin = try XCTUnwrap(trainer.precisionPlugin as? MixedPrecision)
        XCTAssertEqual(plugin.lossScale, 65_536, "the halved loss scale is put back")
        XCTAssertEqual(plugin.skippedSteps, 0)
    }

    func testLRFindRejectsAnEmptyRange() throws {
        let module = try QuadraticModule(hyperparameters: .init())
        let data = DataLoader(ArrayDataset(QuadraticModule.rows()), batchSize: 8) { $0 }
        XCTAssertThrowsError(try Tuner(try quiet()).lrFind(module, train: data, minLR: 1, maxLR: 0.1)) {
            XCTAssertTrue("\($0)".contains("min_lr"), "\($0)")
        }
    }

    func testSteepestDescentMatchesTheExactDerivativeOnAnUnevenGrid() {
        // f(x) = (x - 3)² has f'(x) = 2(x - 3); second-order differences are exact for a parabola on any grid,
        // and the one-sided ends are exact for the chord. Minimum gradient: the left end.
        let x = [0.0, 0.3, 1.0, 1.2, 2.5, 4.0, 7.0]
        let f = x.map { ($0 - 3) * ($0 - 3) }
        XCTAssertEqual(LearningRateFinderResult.steepestDescentIndex(lrs: x, losses: f, skipBegin: 0, skipEnd: 0), 0)
        // Skipping and NaN handling: indices refer to the full list.
        let g = [5.0, .nan, 4.0, 3.9, 1.2, 0.9, 0.8, 2.0]  // numpy.gradient: [-0.1, -1.4, -1.5, -0.2, -0.1]
        let lrs = [1.0, 2, 3, 4, 5, 6, 7, 8]
        XCTAssertEqual(LearningRateFinderResult.steepestDescentIndex(lrs: lrs, losses: g, skipBegin: 1, skipEnd: 1), 4)
        XCTAssertNil(LearningRateFinderResult.steepestDescentIndex(lrs: lrs, losses: g, skipBegin: 6, skipEnd: 1))
    }

    func testBatchSizeSearchDoublesThenBisectsToTheLargestSizeUnderTheBudget() throws {
        var measured: [Int] = []
        let search = try BatchSizeSearch(maxMemoryBytes: 20_500, maxBatchSize: 1000, throughputTolerance: 1)
        let result = try search.run { n in
            measured.append(n)
            return TrainingMeasurement(peakBytes: 1000 * n + 500, unitsPerSecond: 1)
        }
        XCTAssertEqual(measured, [1, 2, 4, 8, 16, 32, 24, 20, 22, 21])
        XCTAssertEqual(result.batchSize, 20)
        XCTAssertEqual(result.limitedBy, .memory)
    }

    func testBatchSizeSearchStopsWhereThroughputDrops() throws {
        let search = try BatchSizeSearch(maxMemoryBytes: 1 << 40, maxBatchSize: 1000)
        let result = try search.run { n in TrainingMeasurement(peakBytes: n, unitsPerSecond: n <= 6 ? 100 * Double(n) : 50) }
        XCTAssertEqual(result.batchSize, 6)
        XCTAssertEqual(result.limitedBy, .throughput)
        let capped = try BatchSizeSearch(maxMemoryBytes: 1 << 40, maxBatchSize: 5).run { n in
            TrainingMeasurement(peakBytes: n, unitsPerSecond: Double(n))
        }
        XCTAssertEqual(capped.batchSize, 5)
        XCTAssertEqual(capped.limitedBy, .maxBatchSize)
        XCTAssertEqual(capped.trials.map(\.batchSize), [1, 2, 4, 5])
        XCTAssertThrowsError(try BatchSizeSearch(maxMemoryBytes: 10, maxBatchSize: 8).run { _ in
            TrainingMeasurement(peakBytes: 11, unitsPerSecond: 1)
        }) { XCTAssertEqual($0 as? TunerError, .nothingFits(batchSize: 1, peakBytes: 11, maxMemoryBytes: 10)) }
    }

    func testMemorySizesParseInBinaryAndDecimalUnits() throws {
        XCTAssertEqual(try ByteCount.parse("16GiB"), 16 << 30)
        XCTAssertEqual(try ByteCount.parse("16G"), 16 << 30)
        XCTAssertEqual(try ByteCount.parse("800MB"), 800_000_000)
        XCTAssertEqual(try ByteCount.parse("1.5 gib"), 3 << 29)
        XCTAssertEqual(try ByteCount.parse("4096"), 4096)
        XCTAssertThrowsError(try ByteCount.parse("lots"))
        XCTAssertThrowsError(try ByteCount.parse("-1G"))
        XCTAssertEqual(ByteCount.format(3 << 29), "1.50 GiB")
        XCTAssertGreaterThan(ByteCount.physicalMemory(), 1 << 20)
    }
}

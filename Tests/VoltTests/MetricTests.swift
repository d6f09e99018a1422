import XCTest
import Volt
import VoltData
import VoltNN
import VoltTensor

/// The mean of the values seen: state [sum, count].
final class MeanMetric: Metric {
    private(set) var state = [0.0, 0.0]
    var stateCount: Int { 2 }
    func update(_ values: [Float]) {
        state[0] += values.reduce(0) { $0 + Double($1) }
        state[1] += Double(values.count)
    }
    func compute(state: [Double]) -> [String: Double] { ["val_mean": state[1] > 0 ? state[0] / state[1] : .nan] }
    func reset() { state = [0, 0] }
}

/// A module whose validation feeds every value to a ``MeanMetric`` and logs it.
final class MetricModule: TrainingModule {
    let model = LineModule.Net(seed: 1, dropout: 0)
    let metric = MeanMetric()
    init() {}
    init(hyperparameters: NoHyperparameters) throws {}
    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? {
        (model.linear(Tensor(shape: [batch.count, 1], scalars: batch))).pow(2).mean()
    }
    func validationStep(_ batch: [Float], index: Int, context: StepContext) throws {
        metric.update(batch)
        context.log(metric, progressBar: true)
    }
    func configureOptimizers() throws -> OptimizerConfiguration { .init(Adam(model.parameters, lr: 0.01)) }
}

final class MetricTests: XCTestCase {
    func testALoggedMetricIsComputedOverTheEpochAndReset() throws {
        let data = lineData(10)
        let module = MetricModule()
        let trainer = try Trainer(maxEpochs: 1, defaultRootDir: temporaryDirectory(), enableProgressBar: false, loggers: [])
        let metrics = try trainer.validate(module, val: DataLoader(ArrayDataset(data), batchSize: 3) { $0 })
        let expected = data.reduce(0) { $0 + Double($1) } / Double(data.count)
        XCTAssertEqual(try XCTUnwrap(metrics["val_mean"]), expected, accuracy: 1e-9)
        XCTAssertEqual(trainer.callbackMetrics["val_mean"] ?? .nan, expected, accuracy: 1e-9)
        XCTAssertEqual(module.metric.state, [0, 0], "reset after the epoch")
        XCTAssertTrue(module.metric.compute()["val_mean"]!.isNaN, "no example: NaN")
    }
}

extension DistributedTests {
    /// Each rank sees its shard; the logged metric is the mean over both shards, the same on each rank.
    func testAMetricIsReducedAcrossRanksBeforeCompute() throws {
        let data = lineData(16, seed: 5)
        let module = MetricModule()
        let ddp = try DDPStrategy()
        let trainer = try self.trainer(ddp, root: temporaryDirectory())
        let metrics = try trainer.validate(module, val: DataLoader(ArrayDataset(data), batchSize: 2) { $0 })
        let expected = data.reduce(0) { $0 + Double($1) } / Double(data.count)
        XCTAssertEqual(try XCTUnwrap(metrics["val_mean"]), expected, accuracy: 1e-9)
        var both = [metrics["val_mean"] ?? .nan]
        ddp.allReduceSum(&both)
        XCTAssertEqual(both[0] / 2, expected, accuracy: 1e-9, "every rank has the value of all 16 examples")
    }
}

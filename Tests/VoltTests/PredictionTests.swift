import Foundation
import XCTest
import Volt
import VoltData
import VoltNN
import VoltTensor

/// `predictStep` for the line module: each example's input and the model's output, one row per example.
extension LineModule {
    func predictStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor {
        let x = Tensor(shape: [batch.count, 1], scalars: batch)
        return Tensor.concat([x, model.linear(x)], axis: 1)
    }
}

/// Records what a ``PredictionWriter`` is handed.
final class RecordingWriter: PredictionWriter {
    let writeInterval: PredictionWriteInterval
    var batches: [[Int]] = []
    var epoch: [Int]?
    init(_ interval: PredictionWriteInterval) { writeInterval = interval }
    func writeOnBatchEnd(_ trainer: Trainer, predictions: [Prediction], batchIndex: Int) throws {
        batches.append(predictions.map(\.index))
    }
    func writeOnEpochEnd(_ trainer: Trainer, predictions: [Prediction]) throws { epoch = predictions.map(\.index) }
}

/// A module whose prediction forgets the batch axis.
final class BadPredictionModule: TrainingModule {
    let model = LineModule.Net(seed: 1, dropout: 0)
    init(hyperparameters: NoHyperparameters) throws {}
    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? { nil }
    func predictStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor { Tensor(Float(batch.count)) }
    func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD(model.parameters, lr: 0.1)) }
}

final class PredictionTests: XCTestCase {
    func predictor(callbacks: [any Callback] = []) throws -> Trainer {
        try Trainer(defaultRootDir: temporaryDirectory(), enableProgressBar: false, enableCheckpointing: false,
                    callbacks: callbacks, loggers: [])
    }

    func testPredictionsComeBackInDatasetOrderWhateverTheVisitingOrder() throws {
        let data = lineData(7)
        let module = try LineModule(dropout: 0.5)
        let predictions = try predictor().predict(module, loader(data, batchSize: 3, shuffle: true))
        XCTAssertEqual(predictions.map(\.index), Array(0..<7))
        let w = module.model.linear.weight.item(), b = module.model.linear.bias!.item()
        for p in predictions {
            XCTAssertEqual(p.output.shape, [2])
            XCTAssertEqual(p.output.scalars[0], data[p.index], "row of the example the index names")
            XCTAssertEqual(p.output.scalars[1], w * data[p.index] + b, accuracy: 1e-6, "evaluation mode: no dropout")
        }
        XCTAssertTrue(module.model.training, "the module's mode is restored")
    }

    func testWritersSeeBatchesOrTheWholeSetAsTheirIntervalSays() throws {
        let batch = RecordingWriter(.batch), epoch = RecordingWriter(.epoch), both = RecordingWriter(.batchAndEpoch)
        let result = try predictor(callbacks: [batch, epoch, both])
            .predict(try LineModule(hyperparameters: .init()), loader(lineData(5), batchSize: 2, shuffle: false), returnPredictions: false)
        XCTAssertTrue(result.isEmpty, "returnPredictions: false keeps nothing for the caller")
        XCTAssertEqual(batch.batches, [[0, 1], [2, 3], [4]])
        XCTAssertNil(batch.epoch)
        XCTAssertEqual(epoch.batches, [])
        XCTAssertEqual(epoch.epoch, [0, 1, 2, 3, 4], "an epoch writer still gets every prediction")
        XCTAssertEqual(both.batches.count, 3)
        XCTAssertEqual(both.epoch, [0, 1, 2, 3, 4])
    }

    func testLimitPredictBatchesStopsEarly() throws {
        let trainer = try Trainer(limitPredictBatches: 2, defaultRootDir: temporaryDirectory(), enableProgressBar: false,
                                  enableCheckpointing: false, loggers: [])
        let predictions = try trainer.predict(try LineModule(hyperparameters: .init()), loader(lineData(9), batchSize: 2, shuffle: false))
        XCTAssertEqual(predictions.map(\.index), [0, 1, 2, 3])
    }

    func testAStepWithoutOneRowPerExampleIsAClearError() throws {
        XCTAssertThrowsError(try predictor().predict(try BadPredictionModule(hyperparameters: .init()),
                                                     loader(lineData(4), batchSize: 2, shuffle: false))) { error in
            guard case let TrainerError.misconfiguration(text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("one row per example"), text)
        }
    }

    func testUnrepeatedSharesCoverEveryIndexOnce() {
        for count in [0, 1, 5, 7, 8] {
            for world in 1...3 {
                let base = RandomSampler(count: count, seed: 4)
                let shares = (0..<world).map { UnrepeatedDistributedSampler(base, rank: $0, worldSize: world).indices(epoch: 2) }
                XCTAssertEqual(shares.flatMap { $0 }.sorted(), Array(0..<count), "count \(count), world \(world)")
                XCTAssertLessThanOrEqual((shares.map(\.count).max() ?? 0) - (shares.map(\.count).min() ?? 0), 1)
            }
        }
    }
}

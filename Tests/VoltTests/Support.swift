import Foundation
import Volt
import VoltData
import VoltNN
import VoltTensor

/// y = 2x + 1 with noise-free data: a module small enough to train in milliseconds.
final class LineModule: TrainingModule {
    final class Net: Module {
        let linear: Linear
        let _stream = RandomStream(seed: 3)
        let _dropout: Dropout
        init(seed: UInt64, dropout: Float) {
            var generator = RandomGenerator(seed: seed)
            linear = Linear(1, 1, std: 0.5, generator: &generator)
            _dropout = Dropout(dropout, stream: _stream)
        }
    }

    let model: Net
    var automatic = true
    var accumulation = 1
    var lr = 0.05
    /// Batches (global count) at which the training loss is replaced by inf (to test fp16 skipping).
    var overflowAt: Set<Int> = []
    private var seen = 0

    var automaticOptimization: Bool { automatic }
    /// What the regression module is built from.
    struct Hyperparameters: ConfigurationSection, Equatable {
        var seed = 7
        var lr = 0.05
        var dropout = 0.2
    }

    private let initial: Hyperparameters
    var hyperparameters: Hyperparameters {
        var h = initial
        h.lr = lr
        return h
    }

    /// A module of the default hyper-parameters but `dropout` and `lr` when given.
    convenience init(dropout: Double? = nil, lr: Double? = nil) throws {
        var h = Hyperparameters()
        if let dropout { h.dropout = dropout }
        if let lr { h.lr = lr }
        try self.init(hyperparameters: h)
    }

    init(hyperparameters: Hyperparameters) throws {
        initial = hyperparameters
        model = Net(seed: UInt64(hyperparameters.seed), dropout: Float(hyperparameters.dropout))
        lr = hyperparameters.lr
    }

    func loss(_ batch: [Float]) -> Tensor {
        let x = Tensor(shape: [batch.count, 1], scalars: batch)
        return (model._dropout(model.linear(x)) - (x * 2 + 1)).pow(2).mean()
    }

    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? {
        var loss = self.loss(batch)
        if overflowAt.contains(seen) { loss = loss * Float.infinity }
        seen += 1
        context.log("train_loss", loss, onStep: true, onEpoch: true, progressBar: true)
        if automatic { return loss }
        try context.manualBackward(loss / Float(accumulation))
        if (index + 1) % accumulation == 0 || context.isLastBatch {
            try context.optimizer.step()
            context.optimizer.zeroGrad()
        }
        return nil
    }

    func validationStep(_ batch: [Float], index: Int, context: StepContext) throws {
        context.log("val_loss", loss(batch))
    }

    func testStep(_ batch: [Float], index: Int, context: StepContext) throws {
        context.log("test_loss", loss(batch))
    }

    func configureOptimizers() throws -> OptimizerConfiguration {
        let optimizer = Adam(model.parameters, lr: lr)
        return .init(optimizer, schedulers: [SchedulerConfiguration(
            LearningRateScheduler(optimizer, schedule: .step(stepSize: 3, gamma: 0.5)), interval: .step)])
    }
}

func lineData(_ n: Int, seed: UInt64 = 0) -> [Float] {
    var g = RandomGenerator(seed: seed)
    return (0..<n).map { _ in g.nextUniform() * 2 - 1 }
}

func loader(_ values: [Float], batchSize: Int = 2, shuffle: Bool = true) -> DataLoader<ArrayDataset<Float>, [Float]> {
    DataLoader(ArrayDataset(values), batchSize: batchSize, shuffle: shuffle, seed: 11) { $0 }
}

/// A fresh directory under the temporary directory.
func temporaryDirectory(_ name: String = #function) -> String {
    let path = NSTemporaryDirectory() + "volt-tests-" + name.filter { $0.isLetter || $0.isNumber } + "-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Stops the process's fit by throwing after a given optimizer step (a crash stand-in).
final class CrashAfterStep: Callback {
    struct Crash: Error {}
    let step: Int
    init(step: Int) { self.step = step }
    func onTrainBatchEnd(_ trainer: Trainer, batchIndex: Int) throws {
        if trainer.globalStep >= step { throw Crash() }
    }
}

/// Counts the optimizer steps a fit applies.
final class StepCounter: Callback {
    var steps = 0
    func onOptimizerStep(_ trainer: Trainer) throws { steps += 1 }
}

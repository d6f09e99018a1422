import Foundation
import Volt
import VoltData
import VoltNN
import VoltTensor

/// The smallest TrainingModule: linear regression y = 3x − 1, trained with automatic optimization.
final class Regression: TrainingModule {
    final class Net: Module {
        let linear: Linear
        override init() {
            var generator = RandomGenerator(seed: 0)
            linear = Linear(1, 1, generator: &generator)
        }
    }

    let model = Net()
    init(hyperparameters: [String: HParam] = [:]) throws {}

    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? {
        let x = Tensor(shape: [batch.count, 1], scalars: batch)
        let loss = (model.linear(x) - (x * 3 - 1)).pow(2).mean()
        context.log("train_loss", loss, progressBar: true)
        return loss
    }

    func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD(model.parameters, lr: 0.1)) }
}

let data = ArrayDataset((0..<64).map { Float($0) / 64 })
let loader = DataLoader(data, batchSize: 8, shuffle: true, seed: 1) { $0 }
let trainer = try Trainer(maxEpochs: 100, enableProgressBar: false, enableCheckpointing: false, loggers: [])
let module = try Regression()
try trainer.fit(module, train: loader)
print("w = \(module.model.linear.weight.item()), b = \(module.model.linear.bias!.item()) (expected 3, -1)")

import Volt
import VoltNN
import VoltTensor

/// The smallest TrainingModule: linear regression y = 3x − 1, trained with automatic optimization.
final class Regression: TrainingModule {
    /// The `module:` section of the configuration (`--module.lr 0.05`); saved in every checkpoint.
    struct Hyperparameters: ConfigurationSection {
        var lr = 0.1
        var seed = 0
    }

    final class Net: Module {
        let linear: Linear
        init(seed: UInt64) {
            var generator = RandomGenerator(seed: seed)
            linear = Linear(1, 1, generator: &generator)
        }
    }

    let hyperparameters: Hyperparameters
    let model: Net

    init(hyperparameters: Hyperparameters) throws {
        self.hyperparameters = hyperparameters
        model = Net(seed: UInt64(hyperparameters.seed))
    }

    func loss(_ batch: [Float]) -> Tensor {
        let x = Tensor(shape: [batch.count, 1], scalars: batch)
        return (model.linear(x) - (x * 3 - 1)).pow(2).mean()
    }

    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? {
        let loss = loss(batch)
        context.log("train_loss", loss, progressBar: true)
        return loss
    }

    func validationStep(_ batch: [Float], index: Int, context: StepContext) throws {
        context.log("val_loss", loss(batch), onEpoch: true, progressBar: true, syncDist: true)
    }

    func testStep(_ batch: [Float], index: Int, context: StepContext) throws {
        context.log("test_loss", loss(batch), onEpoch: true, syncDist: true)
    }

    func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD(model.parameters, lr: hyperparameters.lr)) }
}

import Volt
import VoltData
import VoltNN
import VoltTensor

/// The tests' own module: a line y = 2x + 1 fitted by one linear layer, with a `module:` and a `data:` section.
final class LineFit: TrainingModule {
    struct Hyperparameters: ConfigurationSection, Equatable {
        var lr = 0.1
        var seed = 0
        var width = 1
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
        return (model.linear(x) - (x * 2 + 1)).pow(2).mean()
    }

    func trainingStep(_ batch: [Float], index: Int, context: StepContext) throws -> Tensor? { loss(batch) }

    func configureOptimizers() throws -> OptimizerConfiguration { .init(SGD(model.parameters, lr: hyperparameters.lr)) }
}

/// Points in [0, 1), all of them for training.
final class LinePoints: ConfigurableDataModule {
    struct Configuration: ConfigurationSection, Equatable {
        var points = 16
        var batchSize = 4
        var tags: [String] = []
        static var renamedKeys: [String: String] { ["count": "points"] }
    }

    let configuration: Configuration

    init(configuration: Configuration) { self.configuration = configuration }

    func trainLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]> {
        let xs = (0..<configuration.points).map { Float($0) / Float(configuration.points) }
        return DataLoader(ArrayDataset(xs), batchSize: configuration.batchSize) { $0 }
    }
}

/// The configuration `VoltCLI.Root<LineConfiguration>` reads: `trainer:`, `module:` and `data:`.
typealias LineConfiguration = ModuleConfiguration<LineFit, LinePoints>

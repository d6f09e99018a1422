import GenSLM
import Volt
import VoltNN
import VoltTensor

/// GenSLM's gradient-accumulation workflow as a TrainingModule: manual optimization, loss ÷ accumulationSteps,
/// an optimizer step every accumulationSteps batches and at the last batch of the epoch.
final class GenSLMFineTuner: TrainingModule {
    /// The `module:` section of config.yaml; saved in every checkpoint, so `GenSLMFineTuner.load(from:)` rebuilds
    /// the same model. Keys left out take these defaults; unknown keys are errors naming their line.
    struct Hyperparameters: ConfigurationSection {
        var preset = "genslm-tiny"
        var accumulationSteps = 10
        var lr = 1e-5
        var seed = 42
    }

    let hyperparameters: Hyperparameters
    let model: GPTNeoX
    var automaticOptimization: Bool { false }

    init(hyperparameters: Hyperparameters) throws {
        self.hyperparameters = hyperparameters
        model = try GPTNeoX(GenSLMPreset.named(hyperparameters.preset).configuration, seed: UInt64(hyperparameters.seed))
    }

    func trainingStep(_ batch: TokenBatch, index: Int, context: StepContext) throws -> Tensor? {
        let optimizer = context.optimizers[0]  // precision-aware: unscales, skips on overflow under fp16
        let steps = hyperparameters.accumulationSteps
        let loss = try model.loss(batch)
        try context.manualBackward(loss / Float(steps))
        if (index + 1) % steps == 0 || context.isLastBatch {
            try optimizer.step()
            optimizer.zeroGrad()
        }
        context.log("train_loss", loss, onStep: true, onEpoch: true, progressBar: true)
        return nil
    }

    func validationStep(_ batch: TokenBatch, index: Int, context: StepContext) throws {
        context.log("val_loss", try model.loss(batch), onEpoch: true, progressBar: true, syncDist: true)
    }

    func testStep(_ batch: TokenBatch, index: Int, context: StepContext) throws {
        context.log("test_loss", try model.loss(batch), onEpoch: true, syncDist: true)
    }

    func configureOptimizers() throws -> OptimizerConfiguration {
        .init(Adam(model.parameters, lr: hyperparameters.lr))
    }
}

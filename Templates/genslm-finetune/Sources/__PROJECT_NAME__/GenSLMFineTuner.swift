import Volt
import GenSLM
import VoltNN
import VoltTensor

/// GenSLM's gradient-accumulation workflow as a TrainingModule: manual optimization, loss ÷ accumulationSteps,
/// an optimizer step every accumulationSteps batches and at the last batch of the epoch.
final class GenSLMFineTuner: TrainingModule {
    let model: GPTNeoX
    let preset: GenSLMPreset
    let accumulationSteps: Int
    let learningRate: Double
    var automaticOptimization: Bool { false }
    /// Saved in every checkpoint: `GenSLMFineTuner.load(from:)` rebuilds the same model from them.
    var hyperparameters: [String: HParam] {
        ["accumulation_steps": .int(accumulationSteps), "lr": .double(learningRate), "preset": .string(preset.rawValue)]
    }

    init(hyperparameters: [String: HParam]) throws {
        accumulationSteps = Int(hyperparameters["accumulation_steps"]?.doubleValue ?? 10)
        learningRate = hyperparameters["lr"]?.doubleValue ?? 1e-5
        preset = try GenSLMPreset.named(hyperparameters["preset"]?.description ?? "genslm-tiny")
        model = try GPTNeoX(preset.configuration)
    }

    func trainingStep(_ batch: TokenBatch, index: Int, context: StepContext) throws -> Tensor? {
        let optimizer = context.optimizers[0]  // precision-aware: unscales, skips on overflow under fp16
        let loss = try model.loss(batch)
        try context.manualBackward(loss / Float(accumulationSteps))
        if (index + 1) % accumulationSteps == 0 || context.isLastBatch {
            try optimizer.step()
            optimizer.zeroGrad()
        }
        context.log("train_loss", loss, onStep: true, onEpoch: true, progressBar: true)
        return nil
    }

    func validationStep(_ batch: TokenBatch, index: Int, context: StepContext) throws {
        context.log("val_loss", try model.loss(batch), onEpoch: true, progressBar: true, syncDist: true)
    }

    func configureOptimizers() throws -> OptimizerConfiguration {
        .init(Adam(model.parameters, lr: learningRate))
    }
}

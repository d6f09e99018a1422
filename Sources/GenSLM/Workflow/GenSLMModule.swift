import Foundation
import Volt
import VoltNN
import VoltTensor

/// GenSLM's fine-tuning module (the workflow of <doc:genslm-tutorial>): a GPT-NeoX codon model trained on the causal-LM
/// loss, by default with manual optimization and gradient accumulation — loss ÷ `accumulationSteps` per batch,
/// an optimizer step every `accumulationSteps` batches and at the last batch of the epoch.
public final class GenSLMModule: TrainingModule {
    public typealias Batch = TokenBatch

    /// The model.
    public let model: GPTNeoX
    /// What the module was built from.
    public let hyperparameters: Hyperparameters
    /// Manual optimization (GenSLM's workflow) or automatic.
    public let automaticOptimization: Bool
    /// Where a LoRA or prompt-tuning run's frozen base weights come from (`nil` when the whole model trains).
    public let base: BaseWeights?

    /// Batches per optimizer step.
    public var accumulationSteps: Int { hyperparameters.accumulationSteps }
    /// The LoRA adapters' options, when the module fine-tunes adapters over frozen base weights.
    public var lora: LoRAConfiguration? { hyperparameters.lora }
    /// Prompt tuning's options, when the module trains virtual tokens over frozen base weights.
    public var promptTuning: PromptTuningConfiguration? { hyperparameters.promptTuning }

    /// Builds the model from `preset` or `model_config`, with dropout overridden when set; with LoRA or prompt
    /// tuning, loads the frozen base from `base_weights` (checking `base_sha256` when given) and attaches the
    /// adapters (starting from `adapter` when given) or the virtual tokens.
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)` for an unknown preset, an invalid architecture or
    ///   `accumulation_steps` below 1; ``BaseWeightsError`` when the base file changed.
    public init(hyperparameters h: Hyperparameters) throws {
        var configuration: GPTNeoXConfiguration
        if let modelConfig = h.modelConfig {
            try modelConfig.validate()
            configuration = modelConfig
        } else {
            configuration = try GenSLMPreset.named(h.preset).configuration
        }
        guard h.accumulationSteps >= 1 else { throw TrainerError.misconfiguration("accumulation_steps must be ≥ 1") }
        if let dropout = h.dropout {
            configuration.hiddenDropout = dropout
            configuration.attentionDropout = dropout
        }
        model = try GPTNeoX(configuration, seed: UInt64(h.seed))
        model.gradientCheckpointing = h.gradientCheckpointing
        automaticOptimization = h.optimization == .automatic
        var saved = h
        if h.lora != nil || h.promptTuning != nil {
            let base = try Self.loadBase(into: model, hyperparameters: h)
            if let lora = h.lora { try Self.attachLoRA(lora, to: model, adapter: h.adapter, seed: h.seed) }
            if let promptTuning = h.promptTuning { try model.applyPromptTuning(promptTuning, seed: UInt64(h.seed) &+ 0x9E37) }
            if case let .file(_, sha256) = base { saved.baseSHA256 = sha256 }
            self.base = base
        } else {
            base = nil
        }
        hyperparameters = saved
    }

    public func trainingStep(_ batch: TokenBatch, index: Int, context: StepContext) throws -> Tensor? {
        let loss = try model.loss(batch)
        context.log("train_loss", loss, onStep: true, onEpoch: true, progressBar: true)
        if automaticOptimization { return loss }
        let optimizer = context.optimizer
        let stepping = (index + 1) % accumulationSteps == 0 || context.isLastBatch
        try context.manualBackward(loss / Float(accumulationSteps), synchronize: stepping)
        if stepping {
            try optimizer.step()
            optimizer.zeroGrad()
        }
        return nil
    }

    public func validationStep(_ batch: TokenBatch, index: Int, context: StepContext) throws {
        context.log("val_loss", try model.loss(batch), onEpoch: true, progressBar: true, syncDist: true)
    }

    public func testStep(_ batch: TokenBatch, index: Int, context: StepContext) throws {
        context.log("test_loss", try model.loss(batch), onEpoch: true, syncDist: true)
    }

    public func predictStep(_ batch: TokenBatch, index: Int, context: StepContext) throws -> Tensor {
        try model.logits(batch.inputIds, attentionMask: batch.attentionMask)
    }

    public func configureOptimizers() throws -> OptimizerConfiguration {
        let groups = ParameterGroup.decayAndNoDecay(model, learningRate: hyperparameters.lr, weightDecay: hyperparameters.weightDecay)
        switch hyperparameters.optimizer {
        case .adam: return .init(Adam(groups))
        case .adamw: return .init(AdamW(groups))
        case .sgd: return .init(SGD(groups))
        case .adafactor: return .init(Adafactor(groups, scaleParameter: false, relativeStep: false))
        case .adam8bit: return .init(Adam8bit(groups))
        case .adamw8bit: return .init(AdamW8bit(groups))
        }
    }
}

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
    public var accumulationSteps: Int { hyperparameters.module.accumulationSteps }
    /// The LoRA adapters' options, when the module fine-tunes adapters over frozen base weights.
    public var lora: LoRAConfiguration? { hyperparameters.lora }
    /// Prompt tuning's options, when the module trains virtual tokens over frozen base weights.
    public var promptTuning: PromptTuningConfiguration? { hyperparameters.promptTuning }

    /// Builds the model from `model.preset` or `model.model_config`, with dropout overridden when set; with
    /// `peft:`, loads the frozen base from `model.init` (checking `model.init_sha256` when given) and attaches the
    /// adapters (starting from `model.adapter` when given) or the virtual tokens. Without `peft:` the weights are
    /// the seeded initialisation: ``starting(from:precision:)`` loads `model.init` for a new fit, and `load(from:)` a
    /// checkpoint's weights.
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)` for an invalid architecture or `accumulation_steps` below 1;
    ///   ``BaseWeightsError`` when the base file changed.
    public convenience init(hyperparameters h: Hyperparameters) throws {
        try self.init(hyperparameters: h, precision: .fp32)
    }

    /// The module of `init(hyperparameters:)` for a run in `precision`: under bf16 the frozen base of a PEFT
    /// model is built and loaded straight into bfloat16 (``frozenWeightDType(_:precision:)``), so no float32 copy
    /// of it is ever held; the weights are those a float32 build has after ``onFitStart(_:)`` stores them in
    /// bfloat16.
    ///
    /// - Throws: as `init(hyperparameters:)`.
    public init(hyperparameters h: Hyperparameters, precision: Precision) throws {
        guard h.module.accumulationSteps >= 1 else { throw TrainerError.misconfiguration("accumulation_steps must be ≥ 1") }
        model = try GPTNeoX(try h.model.architecture(), seed: UInt64(h.seed),
                            frozenWeightDType: Self.frozenWeightDType(h, precision: precision))
        model.gradientCheckpointing = h.model.gradientCheckpointing
        automaticOptimization = h.module.optimization == .automatic
        var saved = h
        if let peft = h.peft {
            let base = try Self.loadBase(into: model, hyperparameters: h)
            switch peft {
            case let .lora(lora): try Self.attachLoRA(lora, to: model, adapter: h.model.adapter, seed: h.seed)
            case let .promptTuning(options): try model.applyPromptTuning(options, seed: UInt64(h.seed) &+ 0x9E37)
            }
            if case let .file(_, sha256) = base { saved.model.initSHA256 = sha256 }
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
        let groups = ParameterGroup.decayAndNoDecay(model, learningRate: hyperparameters.module.lr,
                                                    weightDecay: hyperparameters.module.weightDecay)
        switch hyperparameters.module.optimizer {
        case .adam: return .init(Adam(groups))
        case .adamw: return .init(AdamW(groups))
        case .sgd: return .init(SGD(groups))
        case .adafactor: return .init(Adafactor(groups, scaleParameter: false, relativeStep: false))
        case .adam8bit: return .init(Adam8bit(groups))
        case .adamw8bit: return .init(AdamW8bit(groups))
        }
    }
}

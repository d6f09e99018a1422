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
    /// Batches per optimizer step.
    public let accumulationSteps: Int
    /// Learning rate.
    public let learningRate: Double
    /// Optimizer name: `adam`, `adamw`, `sgd` or `adafactor`.
    public let optimizerName: String
    /// Weight decay (not applied to biases and layer norms).
    public let weightDecay: Double
    /// Manual optimization (GenSLM's workflow) or automatic.
    public let automaticOptimization: Bool
    /// The preset the model was built from; `nil` when `model_config` gave the configuration.
    public let preset: GenSLMPreset?
    /// The LoRA adapters' options, when the module fine-tunes adapters over frozen base weights.
    public let lora: LoRAConfiguration?
    /// Prompt tuning's options, when the module trains virtual tokens over frozen base weights.
    public let promptTuning: PromptTuningConfiguration?
    /// Where a LoRA or prompt-tuning run's frozen base weights come from (`nil` when the whole model trains).
    public let base: BaseWeights?
    let seed: Int

    /// Builds the module from hyper-parameters: `preset`, or `model_config` (a ``GPTNeoXConfiguration`` as JSON,
    /// for imported models of no preset's size), `accumulation_steps`, `lr`, `optimizer`, `weight_decay`,
    /// `optimization` (`manual`/`automatic`), `seed`, `gradient_checkpointing`, `dropout` (optional override), and
    /// for LoRA `peft` (the ``LoRAConfiguration`` as JSON), `base_weights` (a file whose weights are loaded as the
    /// frozen base; checked against `base_sha256` when given) and `adapter` (a PEFT folder whose weights start the
    /// adapters), or `prompt_tuning` (a ``PromptTuningConfiguration`` as JSON) with the same `base_weights`.
    public init(hyperparameters h: [String: HParam]) throws {
        var configuration: GPTNeoXConfiguration
        if let json = h["model_config"] {
            guard case let .string(text) = json,
                  let decoded = try? JSONDecoder().decode(GPTNeoXConfiguration.self, from: Data(text.utf8)) else {
                throw TrainerError.misconfiguration("hparams model_config is not a GPT-NeoX configuration in JSON")
            }
            try decoded.validate()
            preset = nil
            configuration = decoded
        } else {
            let named = try GenSLMPreset.named(h["preset"]?.description ?? GenSLMPreset.tiny.rawValue)
            preset = named
            configuration = named.configuration
        }
        accumulationSteps = Int(h["accumulation_steps"]?.doubleValue ?? 1)
        learningRate = h["lr"]?.doubleValue ?? 1e-5
        optimizerName = h["optimizer"]?.description.lowercased() ?? "adam"
        weightDecay = h["weight_decay"]?.doubleValue ?? 0
        automaticOptimization = (h["optimization"]?.description ?? "manual") == "automatic"
        seed = Int(h["seed"]?.doubleValue ?? 42)
        guard accumulationSteps >= 1 else { throw TrainerError.misconfiguration("accumulation_steps must be ≥ 1") }
        if let dropout = h["dropout"]?.doubleValue {
            configuration.hiddenDropout = dropout
            configuration.attentionDropout = dropout
        }
        model = try GPTNeoX(configuration, seed: UInt64(seed))
        model.gradientCheckpointing = h["gradient_checkpointing"] == .bool(true)
        let lora = try h["peft"].map { try LoRAConfiguration(json: $0.description) }
        let promptTuning = try h["prompt_tuning"].map { try PromptTuningConfiguration(json: $0.description) }
        self.lora = lora
        self.promptTuning = promptTuning
        if lora != nil || promptTuning != nil {
            base = try Self.loadBase(into: model, hyperparameters: h, preset: preset, seed: seed)
            if let lora { try Self.attachLoRA(lora, to: model, hyperparameters: h, seed: seed) }
            if let promptTuning { try model.applyPromptTuning(promptTuning, seed: UInt64(seed) &+ 0x9E37) }
        } else {
            base = nil
        }
    }

    public var hyperparameters: [String: HParam] {
        var h: [String: HParam] = [
            "accumulation_steps": .int(accumulationSteps), "lr": .double(learningRate),
            "optimizer": .string(optimizerName), "weight_decay": .double(weightDecay),
            "optimization": .string(automaticOptimization ? "automatic" : "manual"), "seed": .int(seed),
            "gradient_checkpointing": .bool(model.gradientCheckpointing),
            "dropout": .double(model.configuration.hiddenDropout)]
        if let preset { h["preset"] = .string(preset.rawValue) } else { h["model_config"] = .string(model.configuration.jsonString) }
        return h.merging(peftHyperparameters) { $1 }
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
        let groups = ParameterGroup.decayAndNoDecay(model, learningRate: learningRate, weightDecay: weightDecay)
        switch optimizerName {
        case "adam": return .init(Adam(groups))
        case "adamw": return .init(AdamW(groups))
        case "sgd": return .init(SGD(groups))
        case "adafactor": return .init(Adafactor(groups, scaleParameter: false, relativeStep: false))
        case "adam8bit": return .init(Adam8bit(groups))
        case "adamw8bit": return .init(AdamW8bit(groups))
        default:
            throw TrainerError.misconfiguration(
                "unknown optimizer \"\(optimizerName)\" (adam, adamw, adam8bit, adamw8bit, sgd, adafactor)")
        }
    }
}

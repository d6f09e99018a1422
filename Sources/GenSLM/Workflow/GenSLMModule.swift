import Foundation
import Volt
import VoltNN
import VoltTensor

/// GenSLM's fine-tuning module (the workflow of the GenSLM tutorial, docs/genslm-tutorial.md): a GPT-NeoX codon model trained on the causal-LM
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
    private let seed: Int

    /// Builds the module from hyper-parameters: `preset`, or `model_config` (a ``GPTNeoXConfiguration`` as JSON,
    /// for imported models of no preset's size), `accumulation_steps`, `lr`, `optimizer`, `weight_decay`,
    /// `optimization` (`manual`/`automatic`), `seed`, `gradient_checkpointing`, `dropout` (optional override).
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
    }

    public var hyperparameters: [String: HParam] {
        var h: [String: HParam] = [
            "accumulation_steps": .int(accumulationSteps), "lr": .double(learningRate),
            "optimizer": .string(optimizerName), "weight_decay": .double(weightDecay),
            "optimization": .string(automaticOptimization ? "automatic" : "manual"), "seed": .int(seed),
            "gradient_checkpointing": .bool(model.gradientCheckpointing),
            "dropout": .double(model.configuration.hiddenDropout)]
        if let preset { h["preset"] = .string(preset.rawValue) } else { h["model_config"] = .string(model.configuration.jsonString) }
        return h
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
        default: throw TrainerError.misconfiguration("unknown optimizer \"\(optimizerName)\" (adam, adamw, sgd, adafactor)")
        }
    }
}

import Foundation
import LLaMA
import Volt
import VoltNN
import VoltTensor
import VoltText

/// Fine-tuning of a LLaMA or Mixtral causal language model on (prompt, target) text — the seeds' summarization
/// workflow: the loss is the cross-entropy of the target tokens (labels −100 elsewhere), optionally through LoRA
/// adapters on `q_proj`/`v_proj`; validation logs `val_loss` and, by generating a summary for every validation
/// prompt with the key/value cache, `val_rouge1`, `val_rouge2`, `val_rougeL` and `val_rougeLsum`.
///
/// Checkpoints hold the whole state dict (frozen base and adapters), so `load(from:)` rebuilds the module from its
/// saved hyper-parameters alone.
public final class CausalLMModule: TrainingModule {
    /// Padded (prompt, target) batches.
    public typealias Batch = TextBatch

    /// The model.
    public let model: LlamaForCausalLM
    /// What the module was built from.
    public let hyperparameters: Hyperparameters
    /// The step calls backward and the optimizer itself (gradient accumulation over `module.accumulation_steps`).
    public var automaticOptimization: Bool { false }
    /// The ROUGE metric validation updates (`val_rouge1`, …).
    public let rouge: RougeMetric
    /// The ROUGE metric the test loop updates (`test_rouge1`, …).
    public let testRouge: RougeMetric
    /// What validation decodes generations and targets with; without it, validation logs only `val_loss`.
    public private(set) var decoding: TextDecoding?

    /// Builds the model of `model:` from the seed (the architecture of `model.init`'s folder when it names one; its
    /// weights are loaded by ``starting(from:)`` for a new fit, or by `load(from:)` from a checkpoint), and attaches
    /// the LoRA adapters of `peft:`.
    ///
    /// - Throws: `ConfigurationValueError` or `LlamaError` for an invalid architecture; `LoRAError` when no layer
    ///   matches `peft.target_modules`.
    public init(hyperparameters h: Hyperparameters) throws {
        try h.module.validate()
        try h.generation.validate()
        model = try LlamaForCausalLM(try h.model.architecture(), seed: UInt64(h.seed))
        if let peft = h.peft {
            try peft.validate()
            try model.applyLoRA(peft.configuration, seed: UInt64(h.seed) &+ 0x10AA)
        }
        hyperparameters = h
        rouge = RougeMetric(prefix: "val_", useStemmer: h.generation.useStemmer)
        testRouge = RougeMetric(prefix: "test_", useStemmer: h.generation.useStemmer)
    }

    /// A module for a new fit: with `model.init` a transformers folder, its weights (loaded strictly, before the
    /// adapters are attached); otherwise the seeded initialisation.
    ///
    /// - Throws: what ``init(hyperparameters:)`` throws; `LlamaWeightsError` or `TorchImportError` naming the file
    ///   and tensor when the folder's weights do not fit its `config.json`.
    public static func starting(from h: Hyperparameters) throws -> CausalLMModule {
        guard h.model.initialization != ModelOptions.randomInitialization else { return try CausalLMModule(hyperparameters: h) }
        var base = h
        base.peft = nil
        let module = try CausalLMModule(hyperparameters: base)
        try module.model.loadWeights(from: h.model.initialization)
        guard let peft = h.peft else { return module }
        try peft.validate()
        try module.model.applyLoRA(peft.configuration, seed: UInt64(h.seed) &+ 0x10AA)
        return CausalLMModule(model: module.model, hyperparameters: h)
    }

    /// A module around `model`, already built (and adapted) as `h` describes.
    private init(model: LlamaForCausalLM, hyperparameters h: Hyperparameters) {
        self.model = model
        hyperparameters = h
        rouge = RougeMetric(prefix: "val_", useStemmer: h.generation.useStemmer)
        testRouge = RougeMetric(prefix: "test_", useStemmer: h.generation.useStemmer)
    }

    /// Gives validation the tokenizer that decodes generations and targets, and the id that ends a generation.
    ///
    /// - Throws: `ConfigurationValueError` naming `model` when the tokenizer's vocabulary is larger than the model's.
    public func attach(_ decoding: TextDecoding) throws {
        let vocabulary = decoding.tokenizer.vocabularySize
        guard vocabulary <= model.configuration.vocabSize else {
            throw ConfigurationValueError(key: "model", reason: "the tokenizer has \(vocabulary) tokens, the model's vocabulary "
                + "\(model.configuration.vocabSize): choose model.config with vocab_size ≥ \(vocabulary)")
        }
        self.decoding = decoding
    }

    /// The target-token loss (plus Mixtral's weighted load-balancing loss).
    public func loss(_ batch: TextBatch) throws -> Tensor {
        try model.loss(inputIds: batch.inputIDs, labels: batch.labels, attentionMask: batch.attentionMask)
    }

    public func trainingStep(_ batch: TextBatch, index: Int, context: StepContext) throws -> Tensor? {
        let loss = try loss(batch)
        context.log("train_loss", loss, onStep: true, onEpoch: true, progressBar: true)
        let steps = hyperparameters.module.accumulationSteps
        let stepping = (index + 1) % steps == 0 || context.isLastBatch
        try context.manualBackward(loss / Float(steps), synchronize: stepping)
        if stepping {
            try context.optimizer.step()
            context.optimizer.zeroGrad()
        }
        return nil
    }

    /// Logs `val_loss`; with a tokenizer attached and `generation.enabled`, generates a summary for each prompt of
    /// the batch and updates the ROUGE metric (`val_rouge1`, …) against the decoded targets.
    public func validationStep(_ batch: TextBatch, index: Int, context: StepContext) throws {
        context.log("val_loss", try loss(batch), onEpoch: true, progressBar: true, syncDist: true)
        try scoreGenerations(batch, index: index, into: rouge, context: context)
    }

    /// Logs `test_loss` and, as validation does, `test_rouge1`, `test_rouge2`, `test_rougeL` and `test_rougeLsum`.
    public func testStep(_ batch: TextBatch, index: Int, context: StepContext) throws {
        context.log("test_loss", try loss(batch), onEpoch: true, syncDist: true)
        try scoreGenerations(batch, index: index, into: testRouge, context: context)
    }

    /// Generates a summary for each prompt of `batch` (seeded by the batch and row, so every run draws the same)
    /// and updates `metric` against the decoded targets; nothing without a tokenizer or with generation disabled.
    private func scoreGenerations(_ batch: TextBatch, index: Int, into metric: RougeMetric, context: StepContext) throws {
        guard hyperparameters.generation.enabled, let decoding else { return }
        let pairs = TextPairs(batch)
        var predictions: [String] = []
        for (row, prompt) in pairs.prompts.enumerated() {
            let seed = UInt64(hyperparameters.generation.seed) &+ UInt64(index &* 65_536 &+ row)
            let ids = try generate(prompt: prompt, eosID: decoding.eosID, seed: seed)
            predictions.append(decoding.tokenizer.decode(ids, skipSpecialTokens: true))
        }
        let targets = pairs.targets.map { decoding.tokenizer.decode($0, skipSpecialTokens: true) }
        metric.update(predictions: predictions, targets: targets)
        context.log(metric, progressBar: metric === rouge)
    }

    public func configureOptimizers() throws -> OptimizerConfiguration {
        let options = hyperparameters.module
        let groups = ParameterGroup.decayAndNoDecay(model, learningRate: options.lr, weightDecay: options.weightDecay)
        switch options.optimizer {
        case .adamw: return .init(AdamW(groups))
        case .adam: return .init(Adam(groups))
        case .sgd: return .init(SGD(groups))
        }
    }
}

/// What validation needs to turn token ids into text: the tokenizer, and the id that ends a generation.
public struct TextDecoding: Sendable {
    /// The tokenizer of the data.
    public var tokenizer: HFTokenizer
    /// The end-of-sequence id (`data.eos_token`), if any.
    public var eosID: Int32?

    /// A decoding of `tokenizer`, stopping at `eosID`.
    public init(tokenizer: HFTokenizer, eosID: Int32?) {
        self.tokenizer = tokenizer
        self.eosID = eosID
    }
}

/// The prompt and target ids of each row of a `TextBatch`: the prompt is the unpadded prefix whose labels
/// are −100, the target the tokens with labels.
struct TextPairs {
    var prompts: [[Int32]] = []
    var targets: [[Int32]] = []

    init(_ batch: TextBatch) {
        let ids = batch.inputIDs.indices, labels = batch.labels.indices, mask = batch.attentionMask.scalars
        let length = batch.length
        for row in 0..<batch.batchSize {
            let range = (row * length)..<((row + 1) * length)
            var prompt: [Int32] = [], target: [Int32] = []
            for i in range where mask[i] != 0 {
                if labels[i] == TextPairExample.ignoreIndex { if target.isEmpty { prompt.append(ids[i]) } } else { target.append(labels[i]) }
            }
            prompts.append(prompt)
            targets.append(target)
        }
    }
}

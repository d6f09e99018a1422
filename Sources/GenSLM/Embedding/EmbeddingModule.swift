import Foundation
import Volt
import VoltNN
import VoltTensor

/// A prediction module whose ``predictStep(_:index:context:)`` returns the chosen hidden states of each
/// record: [batch, layers, hidden] when mean-pooled, [batch, layers, tokens, hidden] (zero past each record's
/// end) with pooling `none`. With ``includesLogits`` each row is flattened and followed by the record's logits,
/// tokens × vocabulary: [batch, layers·hidden (·tokens) + tokens·vocabulary]. Run it with
/// `Trainer/predict(_:_:ckptPath:returnPredictions:)`.
public final class EmbeddingModule: TrainingModule {
    public typealias Batch = TokenBatch

    /// The model.
    public let model: GPTNeoX
    /// Hidden-state indices (non-negative, see ``EmbeddingOptions/resolvedLayers(numHiddenLayers:)``).
    public let layers: [Int]
    /// Pooling over the tokens.
    public let pooling: EmbeddingPooling
    /// Whether each prediction also carries the record's next-codon logits.
    public let includesLogits: Bool

    /// Embeds with `model`.
    public init(model: GPTNeoX, options: EmbeddingOptions) throws {
        self.model = model
        layers = try options.resolvedLayers(numHiddenLayers: model.configuration.numHiddenLayers)
        pooling = options.pooling
        includesLogits = options.logits
    }

    /// What an embedding module is built from: the model's hyper-parameters (random weights until a checkpoint
    /// is loaded), the layers and the pooling.
    public struct Hyperparameters: ConfigurationSection, Sendable, Equatable {
        /// The model.
        public var model = GenSLMModule.Hyperparameters()
        /// Hidden-state indices; negative counts from the last. Default [-1].
        public var layers = [-1]
        /// mean or none. Default mean.
        public var pool = EmbeddingPooling.mean
        /// Append each record's logits. Default false.
        public var logits = false

        /// The defaults.
        public init() {}
    }

    /// A module of `h.model` (random weights) embedding `h.layers` with `h.pool`.
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)` for layers the model does not have.
    public convenience init(hyperparameters h: Hyperparameters) throws {
        try self.init(model: try GenSLMModule(hyperparameters: h.model).model,
                      options: EmbeddingOptions(layers: h.layers, pooling: h.pool, logits: h.logits))
    }

    /// The layers and pooling, over a model of default hyper-parameters (the weights come from the checkpoint).
    public var hyperparameters: Hyperparameters {
        var h = Hyperparameters()
        h.layers = layers
        h.pool = pooling
        h.logits = includesLogits
        return h
    }

    public func trainingStep(_ batch: TokenBatch, index: Int, context: StepContext) throws -> Tensor? {
        throw TrainerError.missingStep("trainingStep (EmbeddingModule only predicts)")
    }

    public func configureOptimizers() throws -> OptimizerConfiguration {
        throw TrainerError.missingStep("configureOptimizers (EmbeddingModule only predicts)")
    }

    public func predictStep(_ batch: TokenBatch, index: Int, context: StepContext) throws -> Tensor {
        let output = try model.forward(batch.inputIds, attentionMask: batch.attentionMask, outputHiddenStates: true)
        let states = output.hiddenStates
        let pooled = try pool(layers.map { states[$0].float32().contiguous() }, mask: batch.attentionMask.float32().contiguous().scalars,
                              batch: batch.size, length: batch.length)
        guard includesLogits else { return pooled }
        let logits = model.embedOut(output.lastHiddenState).float32().contiguous()
        return Tensor.concat([pooled.reshaped([batch.size, -1]), logits.reshaped([batch.size, -1])], axis: 1)
    }

    /// The chosen `states` ([batch, tokens, hidden] each) pooled under `mask` [batch, tokens].
    func pool(_ states: [Tensor], mask: [Float], batch: Int, length: Int) throws -> Tensor {
        let hidden = model.configuration.hiddenSize, count = states.count
        switch pooling {
        case .mean:
            let result = Tensor.zeros([batch, count, hidden])
            for (l, state) in states.enumerated() {
                for b in 0..<batch {
                    var sum = [Double](repeating: 0, count: hidden)
                    var tokens = 0
                    for t in 0..<length where mask[b * length + t] > 0 {
                        let row = state.floatPointer + (b * length + t) * hidden
                        for e in 0..<hidden { sum[e] += Double(row[e]) }
                        tokens += 1
                    }
                    let target = result.floatPointer + (b * count + l) * hidden
                    for e in 0..<hidden { target[e] = tokens > 0 ? Float(sum[e] / Double(tokens)) : 0 }
                }
            }
            return result
        case .none:
            let result = Tensor.zeros([batch, count, length, hidden])
            for (l, state) in states.enumerated() {
                for b in 0..<batch {
                    for t in 0..<length where mask[b * length + t] > 0 {
                        (result.floatPointer + ((b * count + l) * length + t) * hidden)
                            .update(from: state.floatPointer + (b * length + t) * hidden, count: hidden)
                    }
                }
            }
            return result
        }
    }
}

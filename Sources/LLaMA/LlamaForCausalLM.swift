import VoltInterop
import VoltNN
import VoltTensor

/// A LLaMA-family causal language model: transformers' `LlamaForCausalLM`, and with
/// ``LlamaConfiguration/numLocalExperts`` > 0 its `MixtralForCausalLM`, with the same state-dict keys
/// (`model.layers.0.self_attn.q_proj.weight`, `model.layers.0.mlp.experts.gate_up_proj`, `lm_head.weight`, …).
///
/// With tied embeddings (`tie_word_embeddings`) the output projection is the input embedding, so there is no
/// `lm_head.weight` parameter: as in `named_parameters()` and in the files `save_pretrained` writes.
public final class LlamaForCausalLM: Module {
    /// The decoder body (`model`).
    public let model: LlamaModel
    /// The output projection, hidden → vocabulary, without bias (`lm_head`); `nil` with tied embeddings.
    public let lmHead: Linear?
    /// The configuration the model was built from.
    public let configuration: LlamaConfiguration
    /// The `config.json` the weights were read from (``load(from:configuration:)``), whose keys this model does
    /// not hold (token ids, …) ``save(to:)`` writes back; `nil` for a model built in memory.
    public var sourceConfiguration: TransformersConfiguration?

    /// A model with weights drawn from N(0, initializer_range²), zero biases and unit RMS-norm scales, as
    /// transformers initializes it (from another random stream, so the values differ).
    public init(_ configuration: LlamaConfiguration, seed: UInt64 = 0) throws(LlamaError) {
        try configuration.validate()
        self.configuration = configuration
        var generator = RandomGenerator(seed: seed)
        model = LlamaModel(configuration, generator: &generator)
        lmHead = configuration.tieWordEmbeddings ? nil
            : Linear(configuration.hiddenSize, configuration.vocabSize, bias: false,
                     std: Float(configuration.initializerRange), generator: &generator)
        super.init()
    }

    /// Logits, and with `labels` the loss, for int32 `inputIds` [batch, seq].
    ///
    /// The loss is transformers' causal language-model loss: the mean cross-entropy of predicting label t+1 from
    /// tokens ≤ t over labels that are not −100. Under Mixtral with `outputRouterLogits` (default: the
    /// configuration's), ``LlamaCausalLMOutput/auxLoss`` is the load-balancing loss over every layer's router
    /// logits (tokens where `attentionMask` is 0 left out) and the loss includes it times `router_aux_loss_coef`.
    /// Keys where `attentionMask` ([batch, seq], 1 = token, 0 = padding) is 0 are not attended to.
    ///
    /// - Throws: `TensorError` for a token id outside the vocabulary or a label outside it other than −100.
    public func forward(_ inputIds: Tensor, attentionMask: Tensor? = nil, labels: Tensor? = nil,
                        outputRouterLogits: Bool? = nil) throws -> LlamaCausalLMOutput {
        try Self.checkShape(inputIds, attentionMask: attentionMask, labels: labels)
        let (hidden, routerLogits) = try model.forward(inputIds, attentionMask: attentionMask, cache: nil)
        let logits = project(hidden)
        var output = LlamaCausalLMOutput(logits: logits, loss: nil, auxLoss: nil, routerLogits: routerLogits)
        let withRouter = configuration.isMixtureOfExperts && (outputRouterLogits ?? configuration.outputRouterLogits)
        if withRouter {
            output.auxLoss = LoadBalancing.loss(routerLogits: routerLogits, experts: configuration.numLocalExperts,
                                                topK: configuration.numExpertsPerTok, attentionMask: attentionMask)
        }
        if let labels {
            // Shifting the labels rather than slicing the logits saves copying [batch, seq, vocab] both ways.
            var loss = try Tensor.crossEntropy(logits: logits, targets: Self.nextTokenTargets(labels), ignoreIndex: -100)
            if withRouter, let aux = output.auxLoss { loss = loss + aux * Float(configuration.routerAuxLossCoef) }
            output.loss = loss
        }
        return output
    }

    /// Next-token logits [batch, seq, vocab] for int32 `inputIds` [batch, seq].
    public func logits(_ inputIds: Tensor, attentionMask: Tensor? = nil) throws -> Tensor {
        try forward(inputIds, attentionMask: attentionMask, outputRouterLogits: false).logits
    }

    /// The training loss of ``forward(_:attentionMask:labels:outputRouterLogits:)`` (with the configuration's
    /// `output_router_logits`).
    public func loss(inputIds: Tensor, labels: Tensor, attentionMask: Tensor? = nil) throws -> Tensor {
        guard let loss = try forward(inputIds, attentionMask: attentionMask, labels: labels).loss else {
            preconditionFailure("forward with labels returns a loss")
        }
        return loss
    }

    /// Hidden states → vocabulary logits, through `lm_head` or the tied embedding.
    func project(_ hidden: Tensor) -> Tensor {
        if let lmHead { return lmHead(hidden) }
        return hidden.matmul(model.embedTokens.weight.transposed())
    }

    /// Labels [batch, seq] shifted one position left, −100 at the last position: token t is scored on label t+1.
    private static func nextTokenTargets(_ labels: Tensor) -> Tensor {
        let l = labels.contiguous(), (b, t) = (labels.shape[0], labels.shape[1])
        var targets = [Int32](repeating: -100, count: b * t)
        for row in 0..<b {
            for j in 0..<(t - 1) { targets[row * t + j] = l.int32Pointer[row * t + j + 1] }
        }
        return Tensor(shape: [b, t], indices: targets)
    }

    private static func checkShape(_ inputIds: Tensor, attentionMask: Tensor?, labels: Tensor?) throws(LlamaError) {
        guard inputIds.rank == 2, inputIds.dtype == .int32, inputIds.shape[1] > 0 else {
            throw .invalidInput("input ids must be int32 [batch, seq], have \(inputIds.dtype) \(inputIds.shape)")
        }
        if let attentionMask, attentionMask.shape != inputIds.shape {
            throw .invalidInput("attention mask shape \(attentionMask.shape) differs from the input's \(inputIds.shape)")
        }
        if let labels, labels.shape != inputIds.shape || labels.dtype != .int32 {
            throw .invalidInput("labels must be int32 \(inputIds.shape), have \(labels.dtype) \(labels.shape)")
        }
    }
}

/// Mixtral names the same model: a ``LlamaForCausalLM`` whose configuration has experts.
public typealias MixtralForCausalLM = LlamaForCausalLM

/// What ``LlamaForCausalLM/forward(_:attentionMask:labels:outputRouterLogits:)`` returns (transformers'
/// `MoeCausalLMOutputWithPast` without the cache and hidden states).
public struct LlamaCausalLMOutput {
    /// [batch, seq, vocab].
    public var logits: Tensor
    /// The loss (with labels): cross-entropy, plus `router_aux_loss_coef` · ``auxLoss`` under Mixtral.
    public var loss: Tensor?
    /// Mixtral's load-balancing loss (with router logits), unweighted.
    public var auxLoss: Tensor?
    /// Each layer's router logits [batch · seq, experts] (Mixtral; empty for a dense model).
    public var routerLogits: [Tensor]
}

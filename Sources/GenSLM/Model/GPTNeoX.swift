import VoltNN
import VoltTensor

// GPT-NeoX as in transformers' modeling_gpt_neox.py, top to bottom: attention, MLP, layer, model, LM head.
// Property names produce transformers' state-dict keys (gpt_neox.layers.0.attention.query_key_value.weight, …).

/// Causal self-attention: fused q/k/v projection, rotary embeddings on the first `rotaryDims` of each head, output
/// projection. The attention itself is the blockwise kernel of ``Tensor/causalAttention(qkv:configuration:keyMask:training:generator:)``.
public final class GPTNeoXAttention: Module {
    public let queryKeyValue: Linear
    public let dense: Linear
    private let _attention: AttentionConfiguration
    private let _stream: RandomStream

    init(_ c: GPTNeoXConfiguration, stream: RandomStream, generator: inout RandomGenerator) {
        let std = Float(c.initializerRange)
        queryKeyValue = Linear(c.hiddenSize, 3 * c.hiddenSize, std: std, generator: &generator)
        dense = Linear(c.hiddenSize, c.hiddenSize, std: std, generator: &generator)
        _attention = AttentionConfiguration(heads: c.numAttentionHeads, rotaryDims: c.rotaryDims,
                                            rotaryBase: Float(c.rotaryEmbBase), dropout: Float(c.attentionDropout))
        _stream = stream
        super.init()
    }

    func callAsFunction(_ x: Tensor, keyMask: Tensor?) -> Tensor {
        let y = Tensor.causalAttention(qkv: queryKeyValue(x), configuration: _attention, keyMask: keyMask,
                                       training: training, generator: &_stream.generator)
        return dense(y)
    }
}

/// The feed-forward block: h → 4h (GELU, tanh approximation) → h.
public final class GPTNeoXMLP: Module {
    public let denseHTo4h: Linear
    public let dense4hToH: Linear

    override public class var keyOverrides: [String: String] {
        ["denseHTo4h": "dense_h_to_4h", "dense4hToH": "dense_4h_to_h"]
    }

    init(_ c: GPTNeoXConfiguration, generator: inout RandomGenerator) {
        let std = Float(c.initializerRange)
        denseHTo4h = Linear(c.hiddenSize, c.intermediateSize, std: std, generator: &generator)
        dense4hToH = Linear(c.intermediateSize, c.hiddenSize, std: std, generator: &generator)
        super.init()
    }

    func callAsFunction(_ x: Tensor) -> Tensor { dense4hToH(denseHTo4h(x).gelu(approximation: .tanh)) }
}

/// One transformer layer; with the parallel residual, x + attn(ln₁(x)) + mlp(ln₂(x)).
public final class GPTNeoXLayer: Module {
    public let inputLayernorm: LayerNorm
    public let postAttentionLayernorm: LayerNorm
    public let attention: GPTNeoXAttention
    public let mlp: GPTNeoXMLP
    private let _attentionDropout: Dropout
    private let _mlpDropout: Dropout
    private let _parallel: Bool

    init(_ c: GPTNeoXConfiguration, stream: RandomStream, generator: inout RandomGenerator) {
        inputLayernorm = LayerNorm(c.hiddenSize, eps: Float(c.layerNormEps))
        postAttentionLayernorm = LayerNorm(c.hiddenSize, eps: Float(c.layerNormEps))
        attention = GPTNeoXAttention(c, stream: stream, generator: &generator)
        mlp = GPTNeoXMLP(c, generator: &generator)
        _attentionDropout = Dropout(Float(c.hiddenDropout), stream: stream)
        _mlpDropout = Dropout(Float(c.hiddenDropout), stream: stream)
        _parallel = c.useParallelResidual
        super.init()
    }

    func callAsFunction(_ x: Tensor, keyMask: Tensor?) -> Tensor {
        let attended = _attentionDropout(attention(inputLayernorm(x), keyMask: keyMask))
        if _parallel { return x + attended + _mlpDropout(mlp(postAttentionLayernorm(x))) }
        let h = x + attended
        return h + _mlpDropout(mlp(postAttentionLayernorm(h)))
    }
}

/// The transformer body: embedding, layers, final layer norm.
public final class GPTNeoXModel: Module {
    public let embedIn: Embedding
    public let layers: [GPTNeoXLayer]
    public let finalLayerNorm: LayerNorm
    private let _embeddingDropout: Dropout

    init(_ c: GPTNeoXConfiguration, stream: RandomStream, generator: inout RandomGenerator) {
        embedIn = Embedding(c.vocabSize, c.hiddenSize, std: Float(c.initializerRange), generator: &generator)
        var layers: [GPTNeoXLayer] = []
        for _ in 0..<c.numHiddenLayers { layers.append(GPTNeoXLayer(c, stream: stream, generator: &generator)) }
        self.layers = layers
        finalLayerNorm = LayerNorm(c.hiddenSize, eps: Float(c.layerNormEps))
        _embeddingDropout = Dropout(Float(c.hiddenDropout), stream: stream)
        super.init()
    }

    func embed(_ ids: Tensor) throws -> Tensor { _embeddingDropout(try embedIn(ids)) }
}

/// GPT-NeoX with its language-model head (`GPTNeoXForCausalLM`): GenSLM's model.
public final class GPTNeoX: Module {
    public let gptNeox: GPTNeoXModel
    public let embedOut: Linear
    /// The configuration the model was built from.
    public let configuration: GPTNeoXConfiguration
    /// The dropout random stream (its state belongs in checkpoints).
    public let randomStream: RandomStream
    /// Recompute each layer's activations in the backward pass instead of keeping them.
    public var gradientCheckpointing = false

    /// A model with weights drawn from N(0, initializer_range²), biases 0, layer norms 1/0, as transformers does.
    public init(_ configuration: GPTNeoXConfiguration, seed: UInt64 = 0) throws(GPTNeoXError) {
        try configuration.validate()
        self.configuration = configuration
        var generator = RandomGenerator(seed: seed)
        randomStream = RandomStream(seed: seed &+ 0x5EED)
        gptNeox = GPTNeoXModel(configuration, stream: randomStream, generator: &generator)
        embedOut = Linear(configuration.hiddenSize, configuration.vocabSize, bias: false,
                          std: Float(configuration.initializerRange), generator: &generator)
        super.init()
    }

    /// Final hidden states [batch, seq, hidden] for int32 `inputIds` [batch, seq].
    public func hiddenStates(_ inputIds: Tensor, attentionMask: Tensor? = nil) throws -> Tensor {
        try forward(inputIds, attentionMask: attentionMask).lastHiddenState
    }

    /// The transformer body: the final hidden states, and with `outputHiddenStates` every layer's, as
    /// transformers' `output_hidden_states=True` returns them — entry 0 the embedding output, entry i the output
    /// of layer i − 1, and the last entry (``GPTNeoXOutput/hiddenStates`` holds layers + 1) after the final layer
    /// norm.
    public func forward(_ inputIds: Tensor, attentionMask: Tensor? = nil,
                        outputHiddenStates: Bool = false) throws -> GPTNeoXOutput {
        let length = inputIds.shape[1]
        guard length <= configuration.maxPositionEmbeddings else {
            throw GPTNeoXError.sequenceTooLong(length: length, maximum: configuration.maxPositionEmbeddings)
        }
        var collected: [Tensor] = []
        var h = try gptNeox.embed(inputIds)
        for layer in gptNeox.layers {
            if outputHiddenStates { collected.append(h) }
            if gradientCheckpointing && training {
                h = checkpointed(h, stream: randomStream) { layer($0, keyMask: attentionMask) }
            } else {
                h = layer(h, keyMask: attentionMask)
            }
        }
        let last = gptNeox.finalLayerNorm(h)
        if outputHiddenStates { collected.append(last) }
        return GPTNeoXOutput(lastHiddenState: last, hiddenStates: collected)
    }

    /// Next-token logits [batch, seq, vocab].
    public func logits(_ inputIds: Tensor, attentionMask: Tensor? = nil) throws -> Tensor {
        embedOut(try hiddenStates(inputIds, attentionMask: attentionMask))
    }

    /// The causal language-model loss: mean cross-entropy of predicting token t+1 from tokens ≤ t, over targets
    /// that are not ``TokenBatch/ignoreIndex`` (transformers' `labels` semantics).
    public func loss(_ batch: TokenBatch) throws -> Tensor {
        let h = try hiddenStates(batch.inputIds, attentionMask: batch.attentionMask)
        let t = batch.length
        // The head runs on positions 0 ..< t−1 only: the last position predicts nothing.
        let logits = embedOut(h.slice(axis: 1, 0..<(t - 1)))
        let targets = batch.labels.slice(axis: 1, 1..<t).contiguous()
        return try Tensor.crossEntropy(logits: logits, targets: targets, ignoreIndex: TokenBatch.ignoreIndex)
    }
}

/// What ``GPTNeoX/forward(_:attentionMask:outputHiddenStates:)`` returns.
public struct GPTNeoXOutput {
    /// After the final layer norm, [batch, seq, hidden].
    public var lastHiddenState: Tensor
    /// With `outputHiddenStates`, layers + 1 tensors [batch, seq, hidden] (transformers' `hidden_states`);
    /// empty otherwise.
    public var hiddenStates: [Tensor]
}

import VoltNN
import VoltTensor

// GPT-NeoX as in transformers' modeling_gpt_neox.py, top to bottom: attention, MLP, layer, model, LM head.
// Property names produce transformers' state-dict keys (gpt_neox.layers.0.attention.query_key_value.weight, …).

/// Causal self-attention: fused q/k/v projection, rotary embeddings on the first `rotaryDims` of each head, output
/// projection. The attention itself is the blockwise kernel of `Tensor.causalAttention(qkv:configuration:keyMask:training:generator:)`,
/// or with a key/value cache that of `Tensor.cachedCausalAttention(qkv:configuration:keys:values:position:)`.
public final class GPTNeoXAttention: Module {
    /// The fused query/key/value projection, hidden → 3·hidden (`attention.query_key_value`).
    public let queryKeyValue: Linear
    /// The output projection, hidden → hidden (`attention.dense`).
    public let dense: Linear
    private let _attention: AttentionConfiguration
    private let _stream: RandomStream

    init(_ c: GPTNeoXConfiguration, stream: RandomStream, weightDType: DType, generator: inout RandomGenerator) {
        let std = Float(c.initializerRange)
        queryKeyValue = Linear(c.hiddenSize, 3 * c.hiddenSize, std: std, weightDType: weightDType, generator: &generator)
        dense = Linear(c.hiddenSize, c.hiddenSize, std: std, weightDType: weightDType, generator: &generator)
        _attention = AttentionConfiguration(heads: c.numAttentionHeads, rotaryDims: c.rotaryDims,
                                            rotaryBase: Float(c.rotaryEmbBase), dropout: Float(c.attentionDropout))
        _stream = stream
        super.init()
    }

    func callAsFunction(_ x: Tensor, keyMask: Tensor?, cache: KeyValueCache.Layer? = nil) -> Tensor {
        let qkv = queryKeyValue(x)
        if let cache {
            return dense(Tensor.cachedCausalAttention(qkv: qkv, configuration: _attention, keys: cache.keys,
                                                      values: cache.values, position: cache.position))
        }
        return dense(Tensor.causalAttention(qkv: qkv, configuration: _attention, keyMask: keyMask, training: training,
                                            generator: &_stream.generator))
    }
}

/// The feed-forward block: h → 4h (GELU, tanh approximation) → h.
public final class GPTNeoXMLP: Module {
    /// The expansion, hidden → intermediate (`mlp.dense_h_to_4h`).
    public let denseHTo4h: Linear
    /// The projection back, intermediate → hidden (`mlp.dense_4h_to_h`).
    public let dense4hToH: Linear

    override public class var keyOverrides: [String: String] {
        ["denseHTo4h": "dense_h_to_4h", "dense4hToH": "dense_4h_to_h"]
    }

    init(_ c: GPTNeoXConfiguration, weightDType: DType, generator: inout RandomGenerator) {
        let std = Float(c.initializerRange)
        denseHTo4h = Linear(c.hiddenSize, c.intermediateSize, std: std, weightDType: weightDType, generator: &generator)
        dense4hToH = Linear(c.intermediateSize, c.hiddenSize, std: std, weightDType: weightDType, generator: &generator)
        super.init()
    }

    func callAsFunction(_ x: Tensor) -> Tensor { dense4hToH(denseHTo4h(x).gelu(approximation: .tanh)) }
}

/// One transformer layer; with the parallel residual, x + attn(ln₁(x)) + mlp(ln₂(x)).
public final class GPTNeoXLayer: Module {
    /// The layer norm before attention (ln₁).
    public let inputLayernorm: LayerNorm
    /// The layer norm before the MLP (ln₂; with the parallel residual it also reads the layer's input).
    public let postAttentionLayernorm: LayerNorm
    /// The self-attention block.
    public let attention: GPTNeoXAttention
    /// The feed-forward block.
    public let mlp: GPTNeoXMLP
    private let _attentionDropout: Dropout
    private let _mlpDropout: Dropout
    private let _parallel: Bool

    init(_ c: GPTNeoXConfiguration, stream: RandomStream, weightDType: DType, generator: inout RandomGenerator) {
        inputLayernorm = LayerNorm(c.hiddenSize, eps: Float(c.layerNormEps))
        postAttentionLayernorm = LayerNorm(c.hiddenSize, eps: Float(c.layerNormEps))
        attention = GPTNeoXAttention(c, stream: stream, weightDType: weightDType, generator: &generator)
        mlp = GPTNeoXMLP(c, weightDType: weightDType, generator: &generator)
        _attentionDropout = Dropout(Float(c.hiddenDropout), stream: stream)
        _mlpDropout = Dropout(Float(c.hiddenDropout), stream: stream)
        _parallel = c.useParallelResidual
        super.init()
    }

    func callAsFunction(_ x: Tensor, keyMask: Tensor?, cache: KeyValueCache.Layer? = nil) -> Tensor {
        let attended = _attentionDropout(attention(inputLayernorm(x), keyMask: keyMask, cache: cache))
        if _parallel { return x + attended + _mlpDropout(mlp(postAttentionLayernorm(x))) }
        let h = x + attended
        return h + _mlpDropout(mlp(postAttentionLayernorm(h)))
    }
}

/// The transformer body: embedding, layers, final layer norm.
public final class GPTNeoXModel: Module, LayeredModule {
    /// The token embedding, vocabulary → hidden (`gpt_neox.embed_in`).
    public let embedIn: Embedding
    /// The transformer layers, in order (`gpt_neox.layers.N`).
    public let layers: [GPTNeoXLayer]
    /// The layer norm after the last layer (`gpt_neox.final_layer_norm`).
    public let finalLayerNorm: LayerNorm
    private let _embeddingDropout: Dropout
    private let _stream: RandomStream
    /// Runs each layer when set (a strategy that shards parameters at rest); not used with a key/value cache.
    public var layerRunner: (any LayerRunner)?
    /// The transformer layers, which ``layerRunner`` runs.
    public var runnableLayers: [Module] { layers }

    init(_ c: GPTNeoXConfiguration, stream: RandomStream, weightDType: DType, generator: inout RandomGenerator) {
        embedIn = Embedding(c.vocabSize, c.hiddenSize, std: Float(c.initializerRange), generator: &generator)
        var layers: [GPTNeoXLayer] = []
        for _ in 0..<c.numHiddenLayers {
            layers.append(GPTNeoXLayer(c, stream: stream, weightDType: weightDType, generator: &generator))
        }
        self.layers = layers
        finalLayerNorm = LayerNorm(c.hiddenSize, eps: Float(c.layerNormEps))
        _embeddingDropout = Dropout(Float(c.hiddenDropout), stream: stream)
        _stream = stream
        super.init()
    }

    /// The body over int32 `inputIds` [batch, seq], as ``GPTNeoX/forward(_:attentionMask:outputHiddenStates:)``
    /// describes it: embedding, every layer, final layer norm. `prefix` ([virtual, hidden], prompt tuning) comes
    /// before the tokens and counts as attended in `attentionMask`. With `cache` (one sequence, no mask or prefix)
    /// the tokens take its next positions and its keys and values take theirs; the caller advances it.
    /// `checkpointing` recomputes each layer's activations in the backward pass.
    func forward(_ inputIds: Tensor, attentionMask: Tensor? = nil, prefix: Tensor? = nil, cache: KeyValueCache? = nil,
                 outputHiddenStates: Bool = false, checkpointing: Bool = false) throws -> GPTNeoXOutput {
        let virtual = prefix?.shape[0] ?? 0
        let keyMask = virtual == 0 ? attentionMask : attentionMask.map {
            Tensor.concat([Tensor.ones([inputIds.shape[0], virtual]), $0.float32()], axis: 1)
        }
        var collected: [Tensor] = []
        var h = try embed(inputIds, prefix: prefix)
        for (index, layer) in layers.enumerated() {
            if outputHiddenStates { collected.append(h) }
            if let layerRunner, cache == nil {
                h = layerRunner.run(layer, h, stream: _stream) { layer($0, keyMask: keyMask) }
            } else if checkpointing {
                h = checkpointed(h, stream: _stream) { layer($0, keyMask: keyMask) }
            } else {
                h = layer(h, keyMask: keyMask, cache: cache?.layer(index))
            }
        }
        let last = finalLayerNorm(h)
        if outputHiddenStates { collected.append(last) }
        return GPTNeoXOutput(lastHiddenState: last, hiddenStates: collected)
    }

    /// Token embeddings after dropout; with `prefix` ([virtual, hidden], prompt tuning) those rows come first, as
    /// peft concatenates its prompt embeddings before the input embeddings.
    func embed(_ ids: Tensor, prefix: Tensor? = nil) throws -> Tensor {
        let tokens = try embedIn(ids)
        guard let prefix else { return _embeddingDropout(tokens) }
        let batch = ids.shape[0], shape = prefix.shape
        let prompt = prefix.unsqueezed(0).expanded(to: [batch, shape[0], shape[1]])
        return _embeddingDropout(Tensor.concat([prompt, tokens], axis: 1))
    }
}

/// GPT-NeoX with its language-model head (`GPTNeoXForCausalLM`): GenSLM's model.
public final class GPTNeoX: Module {
    /// The transformer body (`gpt_neox`).
    public let gptNeox: GPTNeoXModel
    /// The language-model head, hidden → vocabulary logits, without bias (`embed_out`).
    public let embedOut: Linear
    /// The configuration the model was built from.
    public let configuration: GPTNeoXConfiguration
    /// The dropout random stream (its state belongs in checkpoints).
    public let randomStream: RandomStream
    /// Recompute each layer's activations in the backward pass instead of keeping them.
    public var gradientCheckpointing = false
    /// Prompt tuning's virtual-token embeddings [virtual, hidden] (peft's `prompt_embeddings`), prepended to every
    /// sequence when set (``applyPromptTuning(_:tokenizer:seed:)``).
    public internal(set) var promptEmbeddings: Tensor?

    /// A model with weights drawn from N(0, initializer_range²), biases 0, layer norms 1/0, as transformers does.
    ///
    /// `frozenWeightDType` bfloat16 builds a base for PEFT in a bf16 run: every `Linear` weight (the projections
    /// and `embed_out`) is drawn straight into bfloat16 storage and frozen — bit for bit the model a float32 build
    /// gives after `storeFrozenWeights(as:)`, at half the peak memory. The embedding, layer norms
    /// and biases stay float32.
    public init(_ configuration: GPTNeoXConfiguration, seed: UInt64 = 0,
                frozenWeightDType: DType = .float32) throws(GPTNeoXError) {
        try configuration.validate()
        self.configuration = configuration
        var generator = RandomGenerator(seed: seed)
        randomStream = RandomStream(seed: seed &+ 0x5EED)
        gptNeox = GPTNeoXModel(configuration, stream: randomStream, weightDType: frozenWeightDType, generator: &generator)
        embedOut = Linear(configuration.hiddenSize, configuration.vocabSize, bias: false,
                          std: Float(configuration.initializerRange), weightDType: frozenWeightDType, generator: &generator)
        super.init()
    }

    /// Virtual tokens prepended by prompt tuning (0 without).
    public var virtualTokenCount: Int { promptEmbeddings?.shape[0] ?? 0 }

    /// Final hidden states [batch, virtual + seq, hidden] for int32 `inputIds` [batch, seq]: with prompt tuning,
    /// the virtual tokens' states come first.
    public func hiddenStates(_ inputIds: Tensor, attentionMask: Tensor? = nil) throws -> Tensor {
        try forward(inputIds, attentionMask: attentionMask).lastHiddenState
    }

    /// The transformer body: the final hidden states, and with `outputHiddenStates` every layer's, as
    /// transformers' `output_hidden_states=True` returns them — entry 0 the embedding output, entry i the output
    /// of layer i − 1, and the last entry (``GPTNeoXOutput/hiddenStates`` holds layers + 1) after the final layer
    /// norm. With prompt tuning the virtual tokens' states come first in each.
    public func forward(_ inputIds: Tensor, attentionMask: Tensor? = nil,
                        outputHiddenStates: Bool = false) throws -> GPTNeoXOutput {
        let length = virtualTokenCount + inputIds.shape[1]
        guard length <= configuration.maxPositionEmbeddings else {
            throw GPTNeoXError.sequenceTooLong(length: length, maximum: configuration.maxPositionEmbeddings)
        }
        return try gptNeox.forward(inputIds, attentionMask: attentionMask, prefix: promptEmbeddings,
                                   outputHiddenStates: outputHiddenStates, checkpointing: gradientCheckpointing && training)
    }

    /// Next-token logits [batch, seq, vocab] at the input tokens' positions (virtual tokens' positions left out).
    public func logits(_ inputIds: Tensor, attentionMask: Tensor? = nil) throws -> Tensor {
        let h = try hiddenStates(inputIds, attentionMask: attentionMask), virtual = virtualTokenCount
        return embedOut(virtual == 0 ? h : h.slice(axis: 1, virtual..<h.shape[1]))
    }

    /// The causal language-model loss: mean cross-entropy of predicting token t+1 from tokens ≤ t, over targets
    /// that are not ``TokenBatch/ignoreIndex`` (transformers' `labels` semantics).
    public func loss(_ batch: TokenBatch) throws -> Tensor {
        let h = try hiddenStates(batch.inputIds, attentionMask: batch.attentionMask)
        let t = batch.length, virtual = virtualTokenCount
        if virtual > 0 {
            // peft's labels: −100 for the virtual tokens, so the last virtual token predicts the first input token.
            let logits = embedOut(h.slice(axis: 1, (virtual - 1)..<(virtual + t - 1)))
            return try Tensor.crossEntropy(logits: logits, targets: batch.labels.contiguous(), ignoreIndex: TokenBatch.ignoreIndex)
        }
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

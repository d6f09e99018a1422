import VoltInterop

/// The hyper-parameters of a LLaMA or Mixtral causal language model, read from and written to transformers'
/// `config.json` key names (`hidden_size`, `num_key_value_heads`, `rope_theta`, `rope_scaling`, …).
///
/// Keys a file leaves out take transformers' defaults for its `model_type` (`llama` unless it says `mixtral`);
/// keys this model does not use (`architectures`, `torch_dtype`, token ids, …) are ignored, as transformers does.
/// transformers 5's `rope_parameters` object is read too, in place of `rope_theta` and `rope_scaling`. Its
/// `Codable` form is that `config.json` object, read and written through `TransformersConfiguration`.
public struct LlamaConfiguration: Codable, Sendable, Equatable {
    /// `llama` or `mixtral` (`model_type`).
    public var modelType: String
    /// Tokens in the vocabulary (`vocab_size`).
    public var vocabSize: Int
    /// Width of the residual stream (`hidden_size`).
    public var hiddenSize: Int
    /// Width of the SwiGLU block's hidden layer, per expert under Mixtral (`intermediate_size`).
    public var intermediateSize: Int
    /// Decoder layers (`num_hidden_layers`).
    public var numHiddenLayers: Int
    /// Query heads per layer (`num_attention_heads`).
    public var numAttentionHeads: Int
    /// Key/value heads per layer (`num_key_value_heads`; fewer than the query heads is grouped-query attention).
    public var numKeyValueHeads: Int
    /// Dimensions per head (`head_dim`; `hidden_size / num_attention_heads` when the file has none).
    public var headDim: Int
    /// Positions the model was trained on (`max_position_embeddings`); also the largest key/value cache.
    public var maxPositionEmbeddings: Int
    /// Epsilon of every RMS norm (`rms_norm_eps`).
    public var rmsNormEps: Double
    /// Base of the rotary frequencies (`rope_theta`).
    public var ropeTheta: Double
    /// How the rotary frequencies are rescaled for longer contexts (`rope_scaling`), or `nil` for none.
    public var ropeScaling: RopeScaling?
    /// Whether the output projection is the input embedding (`tie_word_embeddings`); then `lm_head.weight` is no
    /// separate parameter.
    public var tieWordEmbeddings: Bool
    /// Standard deviation of the initial weights (`initializer_range`).
    public var initializerRange: Double
    /// The feed-forward activation (`hidden_act`); only `silu` (SwiGLU) is supported.
    public var hiddenAct: String
    /// Biases on the q/k/v/o projections (`attention_bias`).
    public var attentionBias: Bool
    /// Biases on the gate/up/down projections (`mlp_bias`, LLaMA only).
    public var mlpBias: Bool
    /// Experts per layer (`num_local_experts`); 0 for a dense LLaMA, which has none.
    public var numLocalExperts: Int
    /// Experts each token is routed to (`num_experts_per_tok`).
    public var numExpertsPerTok: Int
    /// Weight of the load-balancing loss added to the language-model loss (`router_aux_loss_coef`).
    public var routerAuxLossCoef: Double
    /// Whether the loss includes the load-balancing loss (`output_router_logits`).
    public var outputRouterLogits: Bool

    /// A dense LLaMA configuration with the given sizes and transformers' other defaults (`rms_norm_eps` 1e-6,
    /// `rope_theta` 10000, untied embeddings, no biases).
    public init(vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layers: Int, heads: Int, kvHeads: Int? = nil,
                headDim: Int? = nil, maxPositions: Int = 2048, rmsNormEps: Double = 1e-6, ropeTheta: Double = 10_000,
                ropeScaling: RopeScaling? = nil, tieWordEmbeddings: Bool = false) {
        modelType = "llama"
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        numHiddenLayers = layers
        numAttentionHeads = heads
        numKeyValueHeads = kvHeads ?? heads
        self.headDim = headDim ?? hiddenSize / max(heads, 1)
        maxPositionEmbeddings = maxPositions
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.tieWordEmbeddings = tieWordEmbeddings
        initializerRange = 0.02
        hiddenAct = "silu"
        attentionBias = false
        mlpBias = false
        numLocalExperts = 0
        numExpertsPerTok = 2
        routerAuxLossCoef = 0.001
        outputRouterLogits = false
    }

    /// This configuration made Mixtral-style: `experts` experts per layer, each token routed to `perToken` of them,
    /// with the load-balancing loss weighted by `auxLossCoefficient` when `outputRouterLogits`.
    public func mixtral(experts: Int, perToken: Int = 2, auxLossCoefficient: Double = 0.001,
                        outputRouterLogits: Bool = true) -> LlamaConfiguration {
        var c = self
        c.modelType = "mixtral"
        c.numLocalExperts = experts
        c.numExpertsPerTok = perToken
        c.routerAuxLossCoef = auxLossCoefficient
        c.outputRouterLogits = outputRouterLogits
        return c
    }

    /// Whether the feed-forward blocks are mixtures of experts.
    public var isMixtureOfExperts: Bool { numLocalExperts > 0 }

    /// Decodes a transformers `config.json` object, as ``init(transformers:)`` reads it.
    public init(from decoder: Decoder) throws {
        try self.init(transformers: TransformersConfiguration(from: decoder))
    }

    /// Encodes the `config.json` object ``transformersConfiguration`` holds.
    public func encode(to encoder: Encoder) throws {
        try transformersConfiguration.encode(to: encoder)
    }

    /// Checks the sizes fit together and the options are ones this model implements.
    public func validate() throws(LlamaError) {
        guard vocabSize > 0, hiddenSize > 0, intermediateSize > 0, numHiddenLayers > 0, numAttentionHeads > 0,
              numKeyValueHeads > 0, headDim > 0 else { throw .invalidConfiguration("sizes must be positive") }
        guard numAttentionHeads % numKeyValueHeads == 0 else {
            throw .invalidConfiguration("num_attention_heads \(numAttentionHeads) is not a multiple of num_key_value_heads \(numKeyValueHeads)")
        }
        guard headDim % 2 == 0 else { throw .invalidConfiguration("head_dim \(headDim) must be even for rotary embeddings") }
        guard hiddenAct == "silu" else { throw .invalidConfiguration("hidden_act \"\(hiddenAct)\" is not supported (only silu)") }
        guard ropeTheta > 0 else { throw .invalidConfiguration("rope_theta must be positive") }
        try ropeScaling?.validate()
        if isMixtureOfExperts, !(1...numLocalExperts).contains(numExpertsPerTok) {
            throw .invalidConfiguration("num_experts_per_tok \(numExpertsPerTok) must lie in 1...num_local_experts (\(numLocalExperts))")
        }
    }
}

/// The hyper-parameters of a LLaMA or Mixtral causal language model, read from and written to transformers'
/// `config.json` key names (`hidden_size`, `num_key_value_heads`, `rope_theta`, `rope_scaling`, …).
///
/// Keys a file leaves out take transformers' defaults for its `model_type` (`llama` unless it says `mixtral`);
/// keys this model does not use (`architectures`, `torch_dtype`, token ids, …) are ignored, as transformers does.
/// transformers 5's `rope_parameters` object is read too, in place of `rope_theta` and `rope_scaling`.
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

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", numKeyValueHeads = "num_key_value_heads", headDim = "head_dim"
        case maxPositionEmbeddings = "max_position_embeddings", rmsNormEps = "rms_norm_eps", ropeTheta = "rope_theta"
        case ropeScaling = "rope_scaling", tieWordEmbeddings = "tie_word_embeddings"
        case initializerRange = "initializer_range", hiddenAct = "hidden_act", attentionBias = "attention_bias"
        case mlpBias = "mlp_bias", numLocalExperts = "num_local_experts", numExpertsPerTok = "num_experts_per_tok"
        case routerAuxLossCoef = "router_aux_loss_coef", outputRouterLogits = "output_router_logits"
        case ropeParameters = "rope_parameters"
    }

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

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? "llama"
        let mixtral = modelType == "mixtral"
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? 32_000
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? 4096
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? (mixtral ? 14_336 : 11_008)
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? 32
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? 32
        numKeyValueHeads = try c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads) ?? (mixtral ? 8 : numAttentionHeads)
        headDim = try c.decodeIfPresent(Int.self, forKey: .headDim) ?? hiddenSize / max(numAttentionHeads, 1)
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? (mixtral ? 131_072 : 2048)
        rmsNormEps = try c.decodeIfPresent(Double.self, forKey: .rmsNormEps) ?? (mixtral ? 1e-5 : 1e-6)
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        initializerRange = try c.decodeIfPresent(Double.self, forKey: .initializerRange) ?? 0.02
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "silu"
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false
        mlpBias = try c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? false
        numLocalExperts = try c.decodeIfPresent(Int.self, forKey: .numLocalExperts) ?? (mixtral ? 8 : 0)
        numExpertsPerTok = try c.decodeIfPresent(Int.self, forKey: .numExpertsPerTok) ?? 2
        routerAuxLossCoef = try c.decodeIfPresent(Double.self, forKey: .routerAuxLossCoef) ?? 0.001
        outputRouterLogits = try c.decodeIfPresent(Bool.self, forKey: .outputRouterLogits) ?? false
        if let parameters = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeParameters) {
            ropeTheta = parameters.ropeTheta ?? (mixtral ? 1e6 : 10_000)
            ropeScaling = parameters.scaling
        } else {
            ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? (mixtral ? 1e6 : 10_000)
            ropeScaling = try c.decodeIfPresent(RopeScaling.self, forKey: .ropeScaling)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(modelType, forKey: .modelType)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(numKeyValueHeads, forKey: .numKeyValueHeads)
        try c.encode(headDim, forKey: .headDim)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(rmsNormEps, forKey: .rmsNormEps)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encodeIfPresent(ropeScaling, forKey: .ropeScaling)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        try c.encode(initializerRange, forKey: .initializerRange)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encode(attentionBias, forKey: .attentionBias)
        try c.encode(mlpBias, forKey: .mlpBias)
        if isMixtureOfExperts {
            try c.encode(numLocalExperts, forKey: .numLocalExperts)
            try c.encode(numExpertsPerTok, forKey: .numExpertsPerTok)
            try c.encode(routerAuxLossCoef, forKey: .routerAuxLossCoef)
            try c.encode(outputRouterLogits, forKey: .outputRouterLogits)
        }
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

/// transformers 5's `rope_parameters`: the theta and the scaling in one object.
private struct RopeParameters: Decodable {
    var ropeTheta: Double?
    var scaling: RopeScaling?

    enum CodingKeys: String, CodingKey { case ropeTheta = "rope_theta", ropeType = "rope_type", type }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta)
        let type = try c.decodeIfPresent(String.self, forKey: .ropeType) ?? c.decodeIfPresent(String.self, forKey: .type)
        scaling = type == nil || type == "default" ? nil : try RopeScaling(from: decoder)
    }
}

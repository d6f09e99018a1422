import VoltInterop

/// LLaMA's and Mixtral's side of a transformers `config.json`: the hub's keys (`rope_theta`, `rope_scaling`, whose
/// older files say `type` for `rope_type`) and transformers 5's `rope_parameters`.
extension LlamaConfiguration {
    /// The configuration `config` describes; keys it leaves out take transformers' defaults for its `model_type`
    /// (`llama` unless it says `mixtral`), and keys this model does not use (`architectures`, token ids, …) are
    /// ignored, as transformers does.
    ///
    /// - Throws: `TorchImportError.badConfiguration` naming the file and the key: another `model_type`, a value of
    ///   the wrong type, or settings ``validate()`` refuses.
    public init(transformers config: TransformersConfiguration) throws(TorchImportError) {
        let modelType = try config.string("model_type") ?? "llama"
        guard modelType == "llama" || modelType == "mixtral" else {
            throw config.refusal("model_type \"\(modelType)\" is neither llama nor mixtral")
        }
        let mixtral = modelType == "mixtral"
        // Read every key first: `??` does not carry a typed error out of its right-hand side.
        let heads = try config.integer("num_attention_heads") ?? 32, hidden = try config.integer("hidden_size") ?? 4096
        let kvHeads = try config.integer("num_key_value_heads"), headDim = try config.integer("head_dim")
        let intermediate = try config.integer("intermediate_size"), layers = try config.integer("num_hidden_layers")
        let vocab = try config.integer("vocab_size"), positions = try config.integer("max_position_embeddings")
        let eps = try config.number("rms_norm_eps"), tie = try config.boolean("tie_word_embeddings")
        self.init(vocabSize: vocab ?? 32_000, hiddenSize: hidden, intermediateSize: intermediate ?? (mixtral ? 14_336 : 11_008),
                  layers: layers ?? 32, heads: heads, kvHeads: kvHeads ?? (mixtral ? 8 : heads), headDim: headDim,
                  maxPositions: positions ?? (mixtral ? 131_072 : 2048), rmsNormEps: eps ?? (mixtral ? 1e-5 : 1e-6),
                  tieWordEmbeddings: tie ?? false)
        self.modelType = modelType
        let initializer = try config.number("initializer_range"), act = try config.string("hidden_act")
        let attentionBias = try config.boolean("attention_bias"), mlpBias = try config.boolean("mlp_bias")
        initializerRange = initializer ?? 0.02
        hiddenAct = act ?? "silu"
        self.attentionBias = attentionBias ?? false
        self.mlpBias = mlpBias ?? false
        let experts = try config.integer("num_local_experts"), perToken = try config.integer("num_experts_per_tok")
        let auxCoef = try config.number("router_aux_loss_coef"), routerLogits = try config.boolean("output_router_logits")
        numLocalExperts = mixtral ? experts ?? 8 : 0
        numExpertsPerTok = perToken ?? 2
        routerAuxLossCoef = auxCoef ?? 0.001
        outputRouterLogits = routerLogits ?? false
        let parameters = try config.object("rope_parameters"), scaling = try config.object("rope_scaling")
        let rope = parameters ?? scaling
        let theta = try rope?.number("rope_theta"), plainTheta = try config.number("rope_theta")
        ropeTheta = theta ?? plainTheta ?? (mixtral ? 1e6 : 10_000)
        ropeScaling = nil
        if let rope { ropeScaling = try RopeScaling(transformers: rope) }
        do { try validate() } catch { throw config.refusal(error.description) }
    }

    /// The configuration in the transformers `config.json` at `path`.
    ///
    /// - Throws: `TorchImportError.unreadable` or `.badConfiguration`, naming the file (and the key at fault).
    public init(transformersConfigAt path: String) throws(TorchImportError) {
        try self.init(transformers: TransformersConfiguration(contentsOf: path))
    }

    /// transformers 5's `config.json` for this model, with the keys `save_pretrained` writes for a
    /// `LlamaConfig` or a `MixtralConfig` (all but `transformers_version`, which names the writer): the rotary
    /// settings in `rope_parameters`, `dtype` float32, and the settings this type does not hold (token ids,
    /// `use_cache`, `attention_dropout`, …) at transformers' defaults.
    public var transformersConfiguration: TransformersConfiguration { transformersConfiguration(over: nil) }

    /// ``transformersConfiguration`` over `base` (the `config.json` a model was read from): `base`'s keys this
    /// type does not hold (token ids, `use_cache`, keys of other tools) are kept, and the ones it does hold are
    /// this configuration's; those whose default is a float stay floats. `base`'s `transformers_version`, `torch_dtype`, `rope_theta` and `rope_scaling` are
    /// dropped: the file is written as float32, with the rotary settings in `rope_parameters`.
    public func transformersConfiguration(over base: TransformersConfiguration?) -> TransformersConfiguration {
        var values = unmodeledDefaults
        for (key, value) in base?.values ?? [:] where !Self.replacedKeys.contains(key) {
            // A read `0.0` decodes as the integer 0; transformers 5 refuses an integer where it declares a float.
            if case .double? = values[key], case let .int(integer) = value { values[key] = .double(Double(integer)); continue }
            values[key] = value
        }
        values.merge(modeledValues) { _, own in own }
        return TransformersConfiguration(values)
    }

    /// Keys of a read `config.json` that a written one replaces.
    private static let replacedKeys: Set = ["transformers_version", "torch_dtype", "rope_theta", "rope_scaling"]

    /// The keys this type holds, as transformers 5 writes them.
    private var modeledValues: [String: JSONValue] {
        var rope: [String: JSONValue] = ["rope_theta": .double(ropeTheta), "rope_type": "default"]
        if let ropeScaling { rope.merge(ropeScaling.transformersValues) { _, scaling in scaling } }
        var values: [String: JSONValue] = [
            "model_type": .string(modelType), "vocab_size": .int(vocabSize), "hidden_size": .int(hiddenSize),
            "intermediate_size": .int(intermediateSize), "num_hidden_layers": .int(numHiddenLayers),
            "num_attention_heads": .int(numAttentionHeads), "num_key_value_heads": .int(numKeyValueHeads),
            "head_dim": .int(headDim), "max_position_embeddings": .int(maxPositionEmbeddings),
            "rms_norm_eps": .double(rmsNormEps), "rope_parameters": JSONValue(sortingKeysOf: rope),
            "tie_word_embeddings": .bool(tieWordEmbeddings), "initializer_range": .double(initializerRange),
            "hidden_act": .string(hiddenAct), "dtype": "float32",
            "architectures": [isMixtureOfExperts ? "MixtralForCausalLM" : "LlamaForCausalLM"],
        ]
        if isMixtureOfExperts {
            values["num_local_experts"] = .int(numLocalExperts)
            values["num_experts_per_tok"] = .int(numExpertsPerTok)
            values["router_aux_loss_coef"] = .double(routerAuxLossCoef)
            values["output_router_logits"] = .bool(outputRouterLogits)
        } else {
            values["attention_bias"] = .bool(attentionBias)
            values["mlp_bias"] = .bool(mlpBias)
        }
        return values
    }

    /// transformers' defaults of the keys `save_pretrained` writes that this type does not hold.
    private var unmodeledDefaults: [String: JSONValue] {
        var values: [String: JSONValue] = ["attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
                                           "pad_token_id": .null, "use_cache": true]
        if isMixtureOfExperts {
            values["router_jitter_noise"] = 0.0
            values["sliding_window"] = .null
        } else {
            values["pretraining_tp"] = 1
        }
        return values
    }
}

extension RopeScaling {
    /// The scaling a `rope_parameters` or `rope_scaling` object describes, or `nil` for `rope_type` `default`.
    ///
    /// - Throws: `TorchImportError.badConfiguration` naming the key: no type, no factor, or a wrong type.
    init?(transformers object: TransformersConfiguration) throws(TorchImportError) {
        let ropeType = try object.string("rope_type"), type = try object.string("type")
        guard let kind = ropeType ?? type else {
            if try object.number("factor") == nil { return nil }  // rope_parameters with only rope_theta
            throw object.refusal("key rope_type is missing")
        }
        guard kind != "default" else { return nil }
        guard let factor = try object.number("factor") else { throw object.refusal("key factor is missing") }
        let low = try object.number("low_freq_factor"), high = try object.number("high_freq_factor")
        let original = try object.integer("original_max_position_embeddings")
        self.init(ropeType: kind, factor: factor, lowFreqFactor: low, highFreqFactor: high,
                  originalMaxPositionEmbeddings: original)
    }

    /// The scaling's keys in `rope_parameters`.
    var transformersValues: [String: JSONValue] {
        var values: [String: JSONValue] = ["rope_type": .string(ropeType), "factor": .double(factor)]
        if let lowFreqFactor { values["low_freq_factor"] = .double(lowFreqFactor) }
        if let highFreqFactor { values["high_freq_factor"] = .double(highFreqFactor) }
        if let originalMaxPositionEmbeddings { values["original_max_position_embeddings"] = .int(originalMaxPositionEmbeddings) }
        return values
    }
}

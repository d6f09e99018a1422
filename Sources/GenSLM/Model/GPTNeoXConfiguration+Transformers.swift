import VoltInterop

/// GPT-NeoX's side of a transformers `config.json`: the keys of GenSLM's published files (transformers 4:
/// `rotary_pct`, `rotary_emb_base`) and of transformers 5 (`rope_parameters`).
extension GPTNeoXConfiguration {
    /// The configuration `config` describes, with transformers' defaults for absent keys (dropout 0, as
    /// `GPTNeoXConfig` has it: GenSLM's files name theirs `hidden_dropout_prob`, which transformers ignores).
    ///
    /// Settings Volt's GPT-NeoX does not implement (another activation, tied embeddings, another rotary type,
    /// attention without biases) are refused rather than ignored, since the logits would silently differ.
    ///
    /// - Throws: `TorchImportError.badConfiguration` naming the file and the key at fault.
    public init(transformers config: TransformersConfiguration) throws(TorchImportError) {
        if let modelType = try config.string("model_type"), modelType != "gpt_neox" {
            throw config.refusal("model_type \"\(modelType)\" is not gpt_neox")
        }
        let sizes = try (vocab: config.requiredInteger("vocab_size"), hidden: config.requiredInteger("hidden_size"),
                         layers: config.requiredInteger("num_hidden_layers"), heads: config.requiredInteger("num_attention_heads"),
                         intermediate: config.requiredInteger("intermediate_size"),
                         positions: config.requiredInteger("max_position_embeddings"))
        let activation = try config.string("hidden_act") ?? "gelu"
        guard activation == "gelu_fast" else {
            throw config.refusal("hidden_act \"\(activation)\": Volt's GPT-NeoX implements gelu_fast (GenSLM's) only")
        }
        guard try config.boolean("tie_word_embeddings") != true else {
            throw config.refusal("tie_word_embeddings true: GenSLM's models have a separate embed_out")
        }
        guard try config.boolean("attention_bias") != false else { throw config.refusal("attention_bias false: Volt's attention has biases") }
        let rope = try config.object("rope_parameters")
        if let type = try rope?.string("rope_type"), type != "default" { throw config.refusal("rope_type \"\(type)\" is not default") }
        // Read every key first: `??` does not carry a typed error out of its right-hand side.
        let hiddenDropout = try config.number("hidden_dropout"), attentionDropout = try config.number("attention_dropout")
        let rotaryPct = try config.number("rotary_pct"), ropeFactor = try rope?.number("partial_rotary_factor")
        let partialRotaryFactor = try config.number("partial_rotary_factor")
        let rotaryEmbBase = try config.number("rotary_emb_base"), ropeBase = try rope?.number("rope_theta")
        let ropeTheta = try config.number("rope_theta"), layerNormEps = try config.number("layer_norm_eps")
        let initializerRange = try config.number("initializer_range")
        let useParallelResidual = try config.boolean("use_parallel_residual")
        self.init(hiddenSize: sizes.hidden, layers: sizes.layers, heads: sizes.heads, intermediateSize: sizes.intermediate,
                  maxPositions: sizes.positions, vocabSize: sizes.vocab, hiddenDropout: hiddenDropout ?? 0,
                  attentionDropout: attentionDropout ?? 0)
        self.rotaryPct = rotaryPct ?? ropeFactor ?? partialRotaryFactor ?? 0.25
        self.rotaryEmbBase = rotaryEmbBase ?? ropeBase ?? ropeTheta ?? 10_000
        self.layerNormEps = layerNormEps ?? 1e-5
        self.initializerRange = initializerRange ?? 0.02
        self.useParallelResidual = useParallelResidual ?? true
        do { try validate() } catch { throw config.refusal(error.description) }
    }

    /// The configuration in the transformers `config.json` at `path`.
    ///
    /// - Throws: `TorchImportError.unreadable` or `.badConfiguration`, naming the file (and the key at fault).
    public init(transformersConfigAt path: String) throws(TorchImportError) {
        try self.init(transformers: TransformersConfiguration(contentsOf: path))
    }

    /// transformers' `config.json` for `GPTNeoXForCausalLM`, which `from_pretrained` reads.
    public var transformersConfiguration: TransformersConfiguration {
        TransformersConfiguration([
            "architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "vocab_size": .int(vocabSize),
            "hidden_size": .int(hiddenSize), "num_hidden_layers": .int(numHiddenLayers),
            "num_attention_heads": .int(numAttentionHeads), "intermediate_size": .int(intermediateSize),
            "max_position_embeddings": .int(maxPositionEmbeddings), "rotary_pct": .double(rotaryPct),
            "rotary_emb_base": .double(rotaryEmbBase), "layer_norm_eps": .double(layerNormEps), "hidden_act": "gelu_fast",
            "hidden_dropout": .double(hiddenDropout), "attention_dropout": .double(attentionDropout),
            "initializer_range": .double(initializerRange), "use_parallel_residual": .bool(useParallelResidual),
            "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "float32",
        ])
    }
}

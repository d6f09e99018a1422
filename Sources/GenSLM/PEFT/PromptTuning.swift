import VoltNN
import VoltTensor

/// Prompt tuning's options, with peft's names (`peft.PromptTuningConfig`): `num_virtual_tokens` learned
/// embeddings prepended to every sequence, initialised randomly or from the embeddings of given codons.
public struct PromptTuningConfiguration: Codable, Sendable, Equatable {
    /// Virtual tokens prepended to every sequence. Default 8.
    public var numVirtualTokens = 8
    /// `RANDOM` (N(0, 1), as a fresh `nn.Embedding`) or `TEXT` (the embeddings of ``initText``'s codons). Default RANDOM.
    public var initialization = PromptTuningInit.random
    /// DNA whose codons' embeddings start the virtual tokens (repeated or cut to their number), for `TEXT`.
    public var initText: String?

    /// The defaults.
    public init() {}

    /// A configuration.
    public init(numVirtualTokens: Int, initialization: PromptTuningInit = .random, initText: String? = nil) {
        self.numVirtualTokens = numVirtualTokens
        self.initialization = initialization
        self.initText = initText
    }

    /// The YAML / JSON keys (peft's).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        /// peft's `num_virtual_tokens`, `prompt_tuning_init` and `prompt_tuning_init_text`.
        case numVirtualTokens = "num_virtual_tokens", initialization = "prompt_tuning_init", initText = "prompt_tuning_init_text"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        numVirtualTokens = try c.decodeIfPresent(Int.self, forKey: .numVirtualTokens) ?? d.numVirtualTokens
        initialization = try c.decodeIfPresent(PromptTuningInit.self, forKey: .initialization) ?? d.initialization
        initText = try c.decodeIfPresent(String.self, forKey: .initText)
    }
}

/// How the virtual tokens start (peft's `PromptTuningInit`).
public enum PromptTuningInit: String, Codable, Sendable, CaseIterable {
    /// Drawn from N(0, 1).
    case random = "RANDOM"
    /// Copied from the token embeddings of `prompt_tuning_init_text`.
    case text = "TEXT"
}

extension GPTNeoX {
    /// Freezes every weight and prepends `configuration.numVirtualTokens` trainable embeddings
    /// (``promptEmbeddings``, [virtual, hidden]) to every sequence, as peft's prompt tuning for causal LMs: the
    /// attention mask is extended with ones and the last virtual token predicts the first input token.
    ///
    /// With `TEXT`, the codons of `initText` (tokenized without special tokens, repeated or cut to the number of
    /// virtual tokens, as peft does) give the starting rows of `embed_in`.
    ///
    /// - Throws: ``GPTNeoXError/invalidConfiguration(_:)`` for a count < 1 or beyond the positions, a missing or
    ///   empty `initText`, or a model that already has virtual tokens.
    public func applyPromptTuning(_ configuration: PromptTuningConfiguration, tokenizer: CodonTokenizer = CodonTokenizer(),
                                  seed: UInt64 = 0) throws(GPTNeoXError) {
        let n = configuration.numVirtualTokens, hidden = self.configuration.hiddenSize
        guard promptEmbeddings == nil else { throw .invalidConfiguration("prompt tuning is already applied") }
        guard n >= 1, n < self.configuration.maxPositionEmbeddings else {
            throw .invalidConfiguration("num_virtual_tokens must be in 1..<\(self.configuration.maxPositionEmbeddings), not \(n)")
        }
        let prompt: Tensor
        switch configuration.initialization {
        case .random:
            var generator = RandomGenerator(seed: seed)
            prompt = Tensor.randn([n, hidden], generator: &generator)
        case .text:
            let ids = tokenizer.encode(configuration.initText ?? "")
            guard !ids.isEmpty else { throw .invalidConfiguration("prompt_tuning_init TEXT needs a non-empty prompt_tuning_init_text") }
            let repeated = (0..<n).map { ids[$0 % ids.count] }
            let table = gptNeox.embedIn.weight.float32().scalars
            prompt = Tensor(shape: [n, hidden], scalars: repeated.flatMap { id in table[(Int(id) * hidden)..<(Int(id) * hidden + hidden)] })
        }
        for (_, tensor) in namedTensors() { tensor.requiresGrad = false }
        prompt.requiresGrad = true
        promptEmbeddings = prompt
    }
}

/// How ``LlamaForCausalLM/generate(prompts:options:)`` extends prompts, with the names and defaults of
/// transformers' `GenerationConfig` (`max_new_tokens`, `do_sample`, `temperature`, `top_k`, `top_p`,
/// `eos_token_id`) so that a YAML or JSON section decodes into it unchanged.
///
/// Greedy search (`doSample` false) picks the most likely token, the lowest id among equal logits, as
/// `torch.argmax` does. Sampling applies transformers' warpers in their order — temperature, then top-k, then
/// top-p — and draws from what remains.
public struct LlamaGenerationOptions: Codable, Sendable, Equatable {
    /// New tokens per prompt at most (`max_new_tokens`); fewer when an end-of-sequence id is drawn or the model's
    /// positions run out.
    public var maxNewTokens: Int
    /// Sample instead of picking the most likely token (`do_sample`).
    public var doSample: Bool
    /// Softmax temperature under sampling (`temperature`); ≤ 0 picks the most likely token.
    public var temperature: Float
    /// Sample among the `topK` most likely tokens (`top_k`; 0 = all).
    public var topK: Int
    /// Nucleus sampling (`top_p`): the most likely tokens whose probabilities first add up to at least `topP`
    /// (1 = all; the most likely token always stays).
    public var topP: Double
    /// Seed of the draws (`seed`). Prompt i draws from its own stream (`seed`, offset by i), so a prompt's
    /// tokens do not depend on the prompts generated before it.
    public var seed: UInt64
    /// Ids that end a sequence (`eos_token_id`: one id or a list). The id drawn is kept as the last new token.
    public var eosTokenIds: [Int32]

    /// Options; the defaults are greedy search for up to 20 new tokens (transformers' `max_length` 20).
    public init(maxNewTokens: Int = 20, doSample: Bool = false, temperature: Float = 1, topK: Int = 50,
                topP: Double = 1, seed: UInt64 = 0, eosTokenIds: [Int32] = []) {
        self.maxNewTokens = maxNewTokens
        self.doSample = doSample
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
        self.eosTokenIds = eosTokenIds
    }

    /// Greedy search for up to `maxNewTokens`, stopping at `eosTokenIds`.
    public static func greedy(maxNewTokens: Int, eosTokenIds: [Int32] = []) -> LlamaGenerationOptions {
        LlamaGenerationOptions(maxNewTokens: maxNewTokens, eosTokenIds: eosTokenIds)
    }

    enum CodingKeys: String, CodingKey {
        case maxNewTokens = "max_new_tokens", doSample = "do_sample", temperature, topK = "top_k", topP = "top_p"
        case seed, eosTokenIds = "eos_token_id"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = LlamaGenerationOptions()
        maxNewTokens = try c.decodeIfPresent(Int.self, forKey: .maxNewTokens) ?? defaults.maxNewTokens
        doSample = try c.decodeIfPresent(Bool.self, forKey: .doSample) ?? defaults.doSample
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? defaults.temperature
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? defaults.topK
        topP = try c.decodeIfPresent(Double.self, forKey: .topP) ?? defaults.topP
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
        if let one = try? c.decodeIfPresent(Int32.self, forKey: .eosTokenIds) {
            eosTokenIds = [one]
        } else {
            eosTokenIds = try c.decodeIfPresent([Int32].self, forKey: .eosTokenIds) ?? []
        }
    }

    /// Checks the values are in range.
    ///
    /// - Throws: ``LlamaError/invalidInput(_:)`` naming the first value out of range.
    public func validate() throws(LlamaError) {
        guard maxNewTokens >= 0 else { throw .invalidInput("max_new_tokens must be ≥ 0, got \(maxNewTokens)") }
        guard topK >= 0 else { throw .invalidInput("top_k must be ≥ 0, got \(topK)") }
        guard topP > 0, topP <= 1 else { throw .invalidInput("top_p must lie in (0, 1], got \(topP)") }
        guard temperature.isFinite else { throw .invalidInput("temperature must be finite, got \(temperature)") }
    }
}

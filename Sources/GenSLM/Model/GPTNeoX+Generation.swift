import Foundation
import VoltTensor

/// How ``GPTNeoX/generate(prompt:configuration:)`` picks tokens (transformers' logits warpers, in their order:
/// temperature, top-k, top-p).
public struct SamplingConfiguration: Sendable {
    /// Softmax temperature; 0 picks the most likely token.
    public var temperature: Float
    /// Sample among the `topK` most likely tokens (0 = all).
    public var topK: Int
    /// Nucleus sampling: sample among the most likely tokens whose probabilities (after temperature and top-k)
    /// first add up to at least `topP` (1 = all; the most likely token always stays).
    public var topP: Double
    /// Generator seed.
    public var seed: UInt64
    /// Token ids never generated (special tokens).
    public var excluded: Set<Int32>

    /// A configuration.
    public init(temperature: Float = 1, topK: Int = 0, topP: Double = 1, seed: UInt64 = 0, excluded: Set<Int32> = []) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
        self.excluded = excluded
    }
}

/// When ``GPTNeoX/generate(prompt:configuration:)`` stops, in tokens counted with the prompt, as transformers'
/// `generate(max_length=…, min_length=…)` counts them (GenSLM's generation: one token per codon).
public struct GenerationConfiguration: Sendable {
    /// How each token is drawn.
    public var sampling: SamplingConfiguration
    /// Length at which generation ends, prompt included (capped by the model's positions).
    public var maxLength: Int
    /// Until the sequence is this long, ``stopTokens`` are never drawn (transformers' `MinLengthLogitsProcessor`).
    public var minLength: Int
    /// Tokens that end the sequence; the stop token is kept as its last token.
    public var stopTokens: Set<Int32>

    /// A configuration.
    public init(sampling: SamplingConfiguration = SamplingConfiguration(), maxLength: Int, minLength: Int = 0,
                stopTokens: Set<Int32> = []) {
        self.sampling = sampling
        self.maxLength = maxLength
        self.minLength = minLength
        self.stopTokens = stopTokens
    }

    /// The stop codons TAA, TAG and TGA as ``CodonTokenizer`` ids.
    public static var stopCodons: Set<Int32> {
        let tokenizer = CodonTokenizer()
        return Set(["TAA", "TAG", "TGA"].map { tokenizer.id(for: $0) })
    }
}

extension GPTNeoX {
    /// Extends `prompt` by up to `maxNewTokens` sampled tokens (at most up to the model's positions).
    public func generate(prompt: [Int32], maxNewTokens: Int, sampling: SamplingConfiguration) throws -> [Int32] {
        try generate(prompt: prompt, configuration: GenerationConfiguration(sampling: sampling, maxLength: prompt.count + maxNewTokens))
    }

    /// Extends `prompt` with sampled tokens until it holds `maxLength` tokens (or the model's positions) or a stop
    /// token was drawn.
    ///
    /// The prompt fills a ``KeyValueCache`` in one pass; each new token then runs through the model alone.
    public func generate(prompt: [Int32], configuration: GenerationConfiguration) throws -> [Int32] {
        precondition(!prompt.isEmpty, "generation needs at least one prompt token")
        let wasTraining = training
        eval()
        defer { if wasTraining { train() } }
        let limit = Swift.min(configuration.maxLength, self.configuration.maxPositionEmbeddings)
        guard prompt.count < limit else { return prompt }
        var cache = KeyValueCache(for: self, capacity: limit)
        var generator = RandomGenerator(seed: configuration.sampling.seed)
        var tokens = prompt
        let vocab = self.configuration.vocabSize
        var logits = Array(try self.logits(Tensor(shape: [1, prompt.count], indices: prompt), cache: &cache).scalars
            .suffix(vocab))
        var early = configuration.sampling
        early.excluded.formUnion(configuration.stopTokens)
        while tokens.count < limit {
            let sampling = tokens.count < configuration.minLength ? early : configuration.sampling
            let token = Self.sample(logits, sampling: sampling, generator: &generator)
            tokens.append(token)
            if configuration.stopTokens.contains(token) { break }
            if tokens.count < limit { logits = try nextTokenLogits(token, cache: &cache) }
        }
        return tokens
    }

    /// One token from `logits` under `sampling`: exclusions, then temperature, top-k and top-p, then a draw.
    public static func sample(_ logits: [Float], sampling: SamplingConfiguration, generator: inout RandomGenerator) -> Int32 {
        var candidates = logits.enumerated().filter { !sampling.excluded.contains(Int32($0.offset)) }
        candidates.sort { $0.element > $1.element }
        if sampling.temperature <= 0 { return Int32(candidates[0].offset) }
        if sampling.topK > 0 { candidates = Array(candidates.prefix(sampling.topK)) }
        let top = candidates[0].element
        var weights = candidates.map { Foundation.exp(Double((Float($0.element) - top) / sampling.temperature)) }
        if sampling.topP < 1 {
            let total = weights.reduce(0, +)
            var cumulative = 0.0, kept = 0
            while kept < weights.count && (kept == 0 || cumulative < sampling.topP * total) {
                cumulative += weights[kept]
                kept += 1
            }
            candidates = Array(candidates.prefix(kept))
            weights = Array(weights.prefix(kept))
        }
        var u = Double(generator.nextUniform()) * weights.reduce(0, +)
        for (candidate, weight) in zip(candidates, weights) {
            u -= weight
            if u < 0 { return Int32(candidate.offset) }
        }
        return Int32(candidates[candidates.count - 1].offset)
    }
}

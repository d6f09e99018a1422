import Foundation
import VoltTensor

/// How ``GPTNeoX/generate(prompt:maxNewTokens:sampling:)`` picks tokens.
public struct SamplingConfiguration: Sendable {
    /// Softmax temperature; 0 picks the most likely token.
    public var temperature: Float
    /// Sample among the `topK` most likely tokens (0 = all).
    public var topK: Int
    /// Generator seed.
    public var seed: UInt64
    /// Token ids never generated (special tokens).
    public var excluded: Set<Int32>

    /// A configuration.
    public init(temperature: Float = 1, topK: Int = 0, seed: UInt64 = 0, excluded: Set<Int32> = []) {
        self.temperature = temperature
        self.topK = topK
        self.seed = seed
        self.excluded = excluded
    }
}

extension GPTNeoX {
    /// Extends `prompt` by up to `maxNewTokens` sampled tokens (at most up to the model's positions).
    ///
    /// The prompt fills a ``KeyValueCache``; each new token then runs through the model alone.
    public func generate(prompt: [Int32], maxNewTokens: Int, sampling: SamplingConfiguration) throws -> [Int32] {
        precondition(!prompt.isEmpty, "generation needs at least one prompt token")
        let wasTraining = training
        eval()
        defer { if wasTraining { train() } }
        let limit = Swift.min(prompt.count + maxNewTokens, configuration.maxPositionEmbeddings)
        var cache = KeyValueCache(for: self, capacity: limit)
        var generator = RandomGenerator(seed: sampling.seed)
        var tokens = prompt
        var logits: [Float] = []
        for token in prompt.prefix(limit) { logits = try nextTokenLogits(token, cache: &cache) }
        while tokens.count < limit {
            tokens.append(Self.sample(logits, sampling: sampling, generator: &generator))
            if tokens.count < limit { logits = try nextTokenLogits(tokens[tokens.count - 1], cache: &cache) }
        }
        return tokens
    }

    /// One token from `logits` under `sampling`.
    static func sample(_ logits: [Float], sampling: SamplingConfiguration, generator: inout RandomGenerator) -> Int32 {
        var candidates = logits.enumerated().filter { !sampling.excluded.contains(Int32($0.offset)) }
        candidates.sort { $0.element > $1.element }
        if sampling.temperature <= 0 { return Int32(candidates[0].offset) }
        if sampling.topK > 0 { candidates = Array(candidates.prefix(sampling.topK)) }
        let top = candidates[0].element
        let weights = candidates.map { Double(((Float($0.element) - top) / sampling.temperature)).exp() }
        var u = Double(generator.nextUniform()) * weights.reduce(0, +)
        for (candidate, weight) in zip(candidates, weights) {
            u -= weight
            if u < 0 { return Int32(candidate.offset) }
        }
        return Int32(candidates[candidates.count - 1].offset)
    }
}

private extension Double {
    func exp() -> Double { Foundation.exp(self) }
}

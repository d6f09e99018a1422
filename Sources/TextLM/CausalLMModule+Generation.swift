import Foundation
import LLaMA
import VoltTensor

extension CausalLMModule {
    /// Up to `generation.max_new_tokens` new token ids after `prompt`, greedy or sampled as `generation:` says,
    /// running only each new token through the model (the key/value cache holds the rest). Generation stops at
    /// `eosID` (not included) or where the model's positions end.
    ///
    /// - Parameters:
    ///   - prompt: the prompt's ids (at least one).
    ///   - eosID: the id that ends the generation, if any.
    ///   - seed: the sampling stream's seed (unused when greedy).
    /// - Throws: `LlamaError` for an empty prompt or one longer than the model's positions.
    public func generate(prompt: [Int32], eosID: Int32?, seed: UInt64) throws -> [Int32] {
        let options = hyperparameters.generation
        guard !prompt.isEmpty else { throw LlamaError.invalidInput("generation needs a prompt of at least one token") }
        let room = model.configuration.maxPositionEmbeddings - prompt.count
        guard room > 0 else {
            throw LlamaError.sequenceTooLong(length: prompt.count, maximum: model.configuration.maxPositionEmbeddings - 1)
        }
        let newTokens = Swift.min(options.maxNewTokens, room)
        var cache = LlamaKeyValueCache(for: model, capacity: prompt.count + newTokens)
        var sampler = TokenSampler(decoding: options.decoding, temperature: options.temperature, topK: options.topK, seed: seed)
        var input = prompt
        var generated: [Int32] = []
        while generated.count < newTokens {
            let logits = try model.logits(Tensor(shape: [1, input.count], indices: input), cache: &cache)
            let vocabulary = logits.shape[2]
            let last = logits.slice(axis: 1, (input.count - 1)..<input.count).contiguous().scalars
            precondition(last.count == vocabulary, "one row of logits")
            let next = sampler.next(last)
            if next == eosID { break }
            generated.append(next)
            input = [next]
        }
        return generated
    }
}

/// Picks the next token from one row of logits: the argmax, or a seeded draw from softmax(logits ÷ temperature)
/// restricted to the top k.
struct TokenSampler {
    let decoding: CausalLMDecoding
    let temperature: Double
    let topK: Int?
    private var state: UInt64

    init(decoding: CausalLMDecoding, temperature: Double, topK: Int?, seed: UInt64) {
        self.decoding = decoding
        self.temperature = temperature
        self.topK = topK
        state = seed
    }

    /// SplitMix64: a small, seedable stream owned by this sampler.
    private mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    mutating func next(_ logits: [Float]) -> Int32 {
        // Ties go to the lowest id, as torch.argmax.
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        guard decoding == .sample else { return Int32(best) }
        var order = Array(logits.indices)
        if let topK, topK < logits.count {
            order.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            order.removeLast(order.count - topK)
        }
        let top = Double(logits[best])
        let weights = order.map { Foundation.exp((Double(logits[$0]) - top) / temperature) }
        var u = uniform() * weights.reduce(0, +)
        for (k, w) in zip(order, weights) {
            u -= w
            if u < 0 { return Int32(k) }
        }
        return Int32(order.last ?? best)
    }
}

import Foundation
import VoltTensor

/// Picks the next token from one row of logits under ``LlamaGenerationOptions``: the most likely token, or a draw
/// after transformers' temperature, top-k and top-p warpers.
struct TokenSampler {
    let options: LlamaGenerationOptions
    private var generator: RandomGenerator

    /// A sampler drawing from `generator`.
    init(options: LlamaGenerationOptions, generator: RandomGenerator) {
        self.options = options
        self.generator = generator
    }

    /// The next token of `logits` (one vocabulary-sized row).
    mutating func next(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        guard options.doSample, options.temperature > 0 else { return Self.argmax(logits) }
        var candidates = logits.indices.filter { !logits[$0].isNaN }
        candidates.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        if options.topK > 0, options.topK < candidates.count { candidates.removeLast(candidates.count - options.topK) }
        guard !candidates.isEmpty else { return Self.argmax(logits) }
        let top = logits[candidates[0]], temperature = Double(options.temperature)
        var weights = candidates.map { exp(Double(logits[$0] - top) / temperature) }
        if options.topP < 1 {
            let total = weights.reduce(0, +)
            var cumulative = 0.0, kept = 0
            while kept < weights.count && (kept == 0 || cumulative < options.topP * total) {
                cumulative += weights[kept]
                kept += 1
            }
            candidates.removeLast(candidates.count - kept)
            weights.removeLast(weights.count - kept)
        }
        var u = Double(generator.nextUniform()) * weights.reduce(0, +)
        for (candidate, weight) in zip(candidates, weights) {
            u -= weight
            if u < 0 { return Int32(candidate) }
        }
        return Int32(candidates[candidates.count - 1])
    }

    /// The index of the largest value, the lowest among equals (NaN never wins).
    static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0, bestValue = -Float.infinity
        for (i, v) in values.enumerated() where v > bestValue {
            best = i
            bestValue = v
        }
        return Int32(best)
    }
}

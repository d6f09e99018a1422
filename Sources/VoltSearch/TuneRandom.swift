import Foundation

/// The samplers' random numbers: xoshiro256** seeded through SplitMix64, so a study's seed and a trial's number
/// give the same draws in every process and after a restart.
public struct TuneRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// The stream of `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The stream of trial `number` of a study seeded with `seed` (independent of the order workers claim trials in).
    public init(seed: UInt64, trial number: Int) {
        self.init(seed: seed ^ (UInt64(truncatingIfNeeded: number) &+ 1) &* 0xD1B5_4A32_D192_ED03)
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// A uniform Double in `[0, 1)` (53 random bits).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform Double in `[low, high)`.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }

    /// An index drawn with probabilities proportional to `weights`.
    public mutating func index(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        let u = uniform() * total
        var cumulative = 0.0
        for (i, w) in weights.enumerated() {
            cumulative += w
            if u < cumulative { return i }
        }
        return weights.count - 1
    }
}

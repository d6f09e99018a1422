import CVoltKernels

/// A seeded, counter-based random number generator.
///
/// Each draw of `n` numbers uses the counters `offset ..< offset + n` of the stream `seed`, so the numbers do not
/// depend on threading, and the whole state is two integers that a checkpoint can save and restore for an exact
/// resume.
public struct RandomGenerator: Sendable, Hashable, Codable {
    /// The stream.
    public var seed: UInt64
    /// The next unused counter.
    public var offset: UInt64

    /// A generator at the start of stream `seed`.
    public init(seed: UInt64, offset: UInt64 = 0) {
        self.seed = seed
        self.offset = offset
    }

    /// Reserves `count` counters and returns the first.
    public mutating func advance(by count: Int) -> UInt64 {
        defer { offset &+= UInt64(count) }
        return offset
    }

    /// A uniform integer in `0 ..< bound` (for shuffling and sampling).
    ///
    /// Bounds up to 2²⁴ take one draw of 24 random bits. A larger bound takes two draws (48 bits, scaled by a
    /// full-width multiply): one draw reaches only 2²⁴ distinct values, so a shuffle of more than 16.7 million
    /// records would leave most of them unable to reach most positions.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        guard bound > 1 << 24 else {
            var u: Float = 0
            volt_fill_uniform_f32(&u, 1, seed, advance(by: 1), 0, 1)
            return min(Int(u * Float(bound)), bound - 1)
        }
        var u: (Float, Float) = (0, 0)
        withUnsafeMutableBytes(of: &u) { volt_fill_uniform_f32($0.baseAddress!.assumingMemoryBound(to: Float.self), 2, seed, advance(by: 2), 0, 1) }
        let bits = UInt64(u.0 * 16_777_216) << 24 | UInt64(u.1 * 16_777_216)  // 48 uniform bits (each draw is k / 2²⁴)
        let product = bits.multipliedFullWidth(by: UInt64(bound))
        return min(Int(product.high << 16 | product.low >> 48), bound - 1)
    }

    /// A uniform Float in `[0, 1)`.
    public mutating func nextUniform() -> Float {
        var u: Float = 0
        volt_fill_uniform_f32(&u, 1, seed, advance(by: 1), 0, 1)
        return u
    }
}

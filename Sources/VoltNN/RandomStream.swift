import VoltTensor

/// A random generator shared by the layers of one model (dropout), by reference.
///
/// Its whole state is a `RandomGenerator` (seed and counter), which a checkpoint saves and restores, and which
/// gradient checkpointing rewinds to replay a forward pass with the same dropout masks.
public final class RandomStream: @unchecked Sendable {
    /// The current state.
    public var generator: RandomGenerator

    /// A stream starting at `seed`.
    public init(seed: UInt64) { generator = RandomGenerator(seed: seed) }
}

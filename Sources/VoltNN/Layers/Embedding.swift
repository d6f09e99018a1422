import VoltTensor

/// A lookup table of `count` vectors of size `dimension`.
public final class Embedding: Module {
    /// [count, dimension].
    public let weight: Tensor

    /// A table initialized from N(0, `std`²).
    public init(_ count: Int, _ dimension: Int, std: Float = 0.02, generator: inout RandomGenerator) {
        weight = Tensor.randn([count, dimension], std: std, generator: &generator, requiresGrad: true)
        super.init()
    }

    /// The vectors of int32 `ids`: [ids..., dimension].
    ///
    /// - Throws: `TensorError.indexOutOfRange` for an id outside the table.
    public func callAsFunction(_ ids: Tensor) throws(TensorError) -> Tensor { try Tensor.embedding(ids, weight: weight) }
}

import VoltTensor

/// Layer normalization over the last dimension with a learned scale and shift.
public final class LayerNorm: Module {
    /// Scale, initialized to 1.
    public let weight: Tensor
    /// Shift, initialized to 0.
    public let bias: Tensor
    /// Added to the variance.
    public let eps: Float

    /// A layer over vectors of `dimension`.
    public init(_ dimension: Int, eps: Float = 1e-5) {
        weight = Tensor.ones([dimension], requiresGrad: true)
        bias = Tensor.zeros([dimension], requiresGrad: true)
        self.eps = eps
        super.init()
    }

    /// Normalizes [..., dimension].
    public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight, bias: bias, eps: eps) }
}

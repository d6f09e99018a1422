import VoltTensor

/// RMS normalization over the last dimension with a learned scale and no shift (T5, LLaMA, Mixtral):
/// weight · x / √(mean(x²) + eps).
public final class RMSNorm: Module {
    /// Scale, initialized to 1.
    public let weight: Tensor
    /// Added to the mean square.
    public let eps: Float

    /// A layer over vectors of `dimension`.
    public init(_ dimension: Int, eps: Float = 1e-6) {
        weight = Tensor.ones([dimension], requiresGrad: true)
        self.eps = eps
        super.init()
    }

    /// Normalizes [..., dimension].
    public func callAsFunction(_ x: Tensor) -> Tensor { x.rmsNorm(weight: weight, eps: eps) }
}

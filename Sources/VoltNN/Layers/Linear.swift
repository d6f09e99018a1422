import VoltTensor

/// y = x·Wᵀ + b, with W stored [out, in] as in PyTorch.
public final class Linear: Module {
    /// [outFeatures, inFeatures].
    public let weight: Tensor
    /// [outFeatures], if any.
    public let bias: Tensor?

    /// A layer initialized from N(0, `std`²) with a zero bias (GPT-NeoX's `initializer_range` scheme).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, std: Float = 0.02,
                generator: inout RandomGenerator) {
        weight = Tensor.randn([outFeatures, inFeatures], std: std, generator: &generator, requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
        super.init()
    }

    /// Applies the layer to [..., inFeatures].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = x.matmul(weight.transposed())
        return bias.map { y + $0 } ?? y
    }
}

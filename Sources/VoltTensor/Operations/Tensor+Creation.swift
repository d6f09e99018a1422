import CVoltKernels

extension Tensor {
    /// A float32 tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        volt_fill_f32(t.floatPointer, t.count, value)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Zeros of `shape`.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 0, requiresGrad: requiresGrad)
    }

    /// Ones of `shape`.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    /// Samples from the normal distribution N(`mean`, `std`²).
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: inout RandomGenerator,
                             requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        volt_fill_normal_f32(t.floatPointer, t.count, generator.seed, generator.advance(by: t.count), mean, std)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Samples from the uniform distribution on [`low`, `high`).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, generator: inout RandomGenerator,
                               requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        volt_fill_uniform_f32(t.floatPointer, t.count, generator.seed, generator.advance(by: t.count), low, high)
        t.requiresGrad = requiresGrad
        return t
    }

    /// `0, 1, …, count - 1` as float32.
    public static func arange(_ count: Int) -> Tensor {
        Tensor(shape: [count], scalars: (0..<count).map(Float.init))
    }
}

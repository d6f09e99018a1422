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

    /// Samples from the normal distribution N(`mean`, `std`²), stored as `dtype` (float32, float16 or bfloat16).
    ///
    /// A half-precision tensor holds exactly what `randn(…).to(dtype)` would (the same draws, rounded to nearest
    /// even) and consumes the same stretch of `generator`, but is drawn in float32 chunks of 2²⁰ values: no float32
    /// copy of the whole tensor exists at any time.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: inout RandomGenerator,
                             dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        let offset = generator.advance(by: t.count), seed = generator.seed
        if dtype == .float32 {
            volt_fill_normal_f32(t.floatPointer, t.count, seed, offset, mean, std)
        } else {
            t.fillInChunks { chunk, start, count in
                volt_fill_normal_f32(chunk, count, seed, offset + UInt64(start), mean, std)
            }
        }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Values drawn per float32 chunk when a half-precision tensor is filled (4 MiB of float32).
    static let halfPrecisionDrawChunk = 1 << 20

    /// Fills this contiguous half-precision tensor chunk by chunk: `draw` writes `count` float32 values for
    /// elements `start ..< start + count` into a scratch buffer, which is then rounded into place.
    private func fillInChunks(_ draw: (UnsafeMutablePointer<Float>, Int, Int) -> Void) {
        precondition(dtype == .float16 || dtype == .bfloat16, "fillInChunks: \(dtype) is not half precision")
        let chunk = Swift.min(count, Tensor.halfPrecisionDrawChunk)
        guard chunk > 0 else { return }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunk)
        defer { scratch.deallocate() }
        let out = rawPointer.assumingMemoryBound(to: UInt16.self)
        for start in stride(from: 0, to: count, by: chunk) {
            let n = Swift.min(chunk, count - start)
            draw(scratch, start, n)
            if dtype == .bfloat16 { volt_f32_to_bf16(scratch, out + start, n) } else { volt_f32_to_f16(scratch, out + start, n) }
        }
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

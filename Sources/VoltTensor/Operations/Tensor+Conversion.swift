import CVoltKernels

extension Tensor {
    /// The values stored as `dtype` (a copy unless the type already matches).
    ///
    /// Conversions to half precision round to nearest even; values beyond float16's range (±65504) become ±inf.
    /// Gradients flow through floating-point conversions as float32.
    public func to(_ target: DType) -> Tensor {
        if target == dtype { return self }
        let src = contiguous()
        let out = Tensor(uninitializedShape: shape, dtype: target)
        let n = count
        switch (dtype, target) {
        case (.float32, .float16):
            volt_f32_to_f16(src.floatPointer, out.rawPointer.assumingMemoryBound(to: UInt16.self), n)
        case (.float32, .bfloat16):
            volt_f32_to_bf16(src.floatPointer, out.rawPointer.assumingMemoryBound(to: UInt16.self), n)
        case (.float16, .float32):
            volt_f16_to_f32(src.rawPointer.assumingMemoryBound(to: UInt16.self), out.floatPointer, n)
        case (.bfloat16, .float32):
            volt_bf16_to_f32(src.rawPointer.assumingMemoryBound(to: UInt16.self), out.floatPointer, n)
        case (.int32, .float32):
            let from = src.int32Pointer, to = out.floatPointer
            for i in 0..<n { to[i] = Float(from[i]) }
        case (.float32, .int32):
            let from = src.floatPointer, to = out.int32Pointer
            for i in 0..<n { to[i] = Int32(from[i].rounded(.towardZero)) }
        default:
            return self.to(.float32).to(target)
        }
        guard dtype.isFloatingPoint, target.isFloatingPoint else { return out }
        return Tensor.record(out, inputs: [self], name: "to(\(target))") { g in [g] }
    }

    /// The values as float32 (`self` when already float32).
    public func float32() -> Tensor { to(.float32) }
}

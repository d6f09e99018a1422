import CVoltKernels

extension Tensor {
    /// RMS normalization over the last dimension: weight · (x / √(mean(x²) + eps)), as transformers'
    /// `LlamaRMSNorm` computes it in float32 (no mean is subtracted, no bias added).
    ///
    /// The backward pass reuses the per-row reciprocal root mean square saved here. An all-zero row gives zeros
    /// (eps keeps the divisor finite).
    public func rmsNorm(weight: Tensor?, eps: Float = 1e-6) -> Tensor {
        let cols = shape[rank - 1], rows = count / Swift.max(cols, 1)
        precondition(weight.map { $0.shape == [cols] } ?? true, "rmsNorm weight must be [\(cols)]")
        let x = float32().contiguous(), w = weight?.float32().contiguous()
        let out = Tensor(uninitializedShape: shape), rstd = Tensor(uninitializedShape: [rows])
        volt_rmsnorm_f32(x.floatPointer, w?.floatPointer, out.floatPointer, rstd.floatPointer, rows, cols, eps)
        let savedX = SavedTensor(x), savedW = w?.detached()
        return Tensor.record(out, inputs: [self] + [weight].compactMap { $0 }, name: "rmsNorm") { g in
            let dy = g.contiguous()
            let dx = Tensor(uninitializedShape: dy.shape)
            let dw = weight?.requiresGrad == true ? Tensor.zeros([cols]) : nil
            volt_rmsnorm_backward_f32(savedX.value.floatPointer, savedW?.floatPointer, rstd.floatPointer,
                                      dy.floatPointer, dx.floatPointer, dw?.floatPointer, rows, cols)
            return weight == nil ? [dx] : [dx, dw]
        }
    }
}

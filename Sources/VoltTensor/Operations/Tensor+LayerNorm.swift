import CVoltKernels

extension Tensor {
    /// Layer normalization over the last dimension: (x − mean) / √(var + eps) · weight + bias, with the biased
    /// variance, as `torch.nn.functional.layer_norm`.
    ///
    /// The backward pass reuses the per-row mean and reciprocal standard deviation saved here. Under bfloat16
    /// autocast the forward pass also writes, in the same pass, the bfloat16 copy of the input that the backward
    /// pass reads and the bfloat16 copy of the output that a following product takes.
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let cols = shape[rank - 1], rows = count / Swift.max(cols, 1)
        precondition(weight.map { $0.shape == [cols] } ?? true, "layerNorm weight must be [\(cols)]")
        precondition(bias.map { $0.shape == [cols] } ?? true, "layerNorm bias must be [\(cols)]")
        let x = float32().contiguous()
        let w = weight?.float32().contiguous(), b = bias?.float32().contiguous()
        let out = Tensor(uninitializedShape: shape)
        let mean = Tensor(uninitializedShape: [rows]), rstd = Tensor(uninitializedShape: [rows])
        // Under bfloat16 autocast the same pass rounds x into the copy the backward pass keeps (unless x already
        // has one) and y into the copy the next product reads.
        let x16 = SavedTensor.roundsAfreshToBFloat16(x) ? Tensor(uninitializedShape: shape, dtype: .bfloat16) : nil
        let y16 = Tensor.multipliesInBFloat16 && GradMode.isEnabled
            ? Tensor(uninitializedShape: shape, dtype: .bfloat16) : nil
        volt_layernorm_rounding_f32(x.floatPointer, w?.floatPointer, b?.floatPointer, out.floatPointer,
                                    mean.floatPointer, rstd.floatPointer, x16?.bfloat16Pointer, y16?.bfloat16Pointer,
                                    rows, cols, eps)
        let savedX = x16.map { SavedTensor(x, roundedCopy: $0) } ?? SavedTensor(x), savedW = w?.detached()
        if let y16 { out.roundedCopy = y16 }
        let inputs = [self] + [weight, bias].compactMap { $0 }
        return Tensor.record(out, inputs: inputs, name: "layerNorm") { g in
            let dy = g.contiguous()
            let dx = Tensor(uninitializedShape: dy.shape)
            let dw = weight?.requiresGrad == true ? Tensor.zeros([cols]) : nil
            let db = bias?.requiresGrad == true ? Tensor.zeros([cols]) : nil
            let x16 = savedX.contiguousBFloat16, x32 = x16 == nil ? savedX.value : nil
            volt_layernorm_backward_saved(x32?.floatPointer, x16?.bfloat16Pointer, savedW?.floatPointer,
                                          mean.floatPointer, rstd.floatPointer, dy.floatPointer, dx.floatPointer,
                                          dw?.floatPointer, db?.floatPointer, rows, cols)
            var grads: [Tensor?] = [dx]
            if weight != nil { grads.append(dw) }
            if bias != nil { grads.append(db) }
            return grads
        }
    }
}

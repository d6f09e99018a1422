import CVoltKernels

extension Tensor {
    /// Layer normalization over the last dimension: (x − mean) / √(var + eps) · weight + bias, with the biased
    /// variance, as `torch.nn.functional.layer_norm`.
    ///
    /// The backward pass reuses the per-row mean and reciprocal standard deviation saved here.
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let cols = shape[rank - 1], rows = count / Swift.max(cols, 1)
        precondition(weight.map { $0.shape == [cols] } ?? true, "layerNorm weight must be [\(cols)]")
        precondition(bias.map { $0.shape == [cols] } ?? true, "layerNorm bias must be [\(cols)]")
        let x = float32().contiguous()
        let w = weight?.float32().contiguous(), b = bias?.float32().contiguous()
        let out = Tensor(uninitializedShape: shape)
        let mean = Tensor(uninitializedShape: [rows]), rstd = Tensor(uninitializedShape: [rows])
        volt_layernorm_f32(x.floatPointer, w?.floatPointer, b?.floatPointer, out.floatPointer, mean.floatPointer,
                           rstd.floatPointer, rows, cols, eps)
        let savedX = SavedTensor(x), savedW = w?.detached()
        let inputs = [self] + [weight, bias].compactMap { $0 }
        return Tensor.record(out, inputs: inputs, name: "layerNorm") { g in
            let dy = g.contiguous()
            let dx = Tensor(uninitializedShape: dy.shape)
            let dw = weight?.requiresGrad == true ? Tensor.zeros([cols]) : nil
            let db = bias?.requiresGrad == true ? Tensor.zeros([cols]) : nil
            volt_layernorm_backward_f32(savedX.value.floatPointer, savedW?.floatPointer, mean.floatPointer,
                                        rstd.floatPointer, dy.floatPointer, dx.floatPointer, dw?.floatPointer,
                                        db?.floatPointer, rows, cols)
            var grads: [Tensor?] = [dx]
            if weight != nil { grads.append(dw) }
            if bias != nil { grads.append(db) }
            return grads
        }
    }
}

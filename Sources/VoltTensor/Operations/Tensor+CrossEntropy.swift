import CVoltKernels

extension Tensor {
    /// Mean cross-entropy between `logits` ([..., classes]) and int32 class `targets` ([...]), skipping targets
    /// equal to `ignoreIndex`, as `torch.nn.functional.cross_entropy(reduction="mean")`.
    ///
    /// The log-softmax is fused into the loss; nothing of size [..., classes] is kept for the backward pass but the
    /// logits themselves. When every target is ignored the result is NaN (0/0), as in PyTorch.
    ///
    /// - Throws: ``TensorError/indexOutOfRange(operation:position:index:bound:)`` for a target outside the classes.
    public static func crossEntropy(logits: Tensor, targets: Tensor, ignoreIndex: Int32 = -100) throws(TensorError)
        -> Tensor {
        guard targets.dtype == .int32 else {
            throw .invalidDType(operation: "crossEntropy", dtype: targets.dtype, expected: .int32)
        }
        let classes = logits.shape[logits.rank - 1]
        guard Array(logits.shape.dropLast()) == targets.shape else {
            throw .invalidShape(operation: "crossEntropy", shape: targets.shape,
                                expected: "the logits' leading shape \(Array(logits.shape.dropLast()))")
        }
        let rows = targets.count
        let x = logits.float32().contiguous(), t = targets.contiguous()
        let losses = Tensor(uninitializedShape: [rows]), lse = Tensor(uninitializedShape: [rows])
        let bad = volt_cross_entropy_f32(x.floatPointer, t.int32Pointer, losses.floatPointer, lse.floatPointer, rows,
                                         classes, ignoreIndex)
        if bad >= 0 {
            throw .indexOutOfRange(operation: "crossEntropy", position: Int(bad), index: Int(t.int32Pointer[Int(bad)]),
                                   bound: classes)
        }
        let counted = (0..<rows).reduce(0) { $0 + (t.int32Pointer[$1] == ignoreIndex ? 0 : 1) }
        let total = Tensor(uninitializedShape: [])
        volt_reduce_sum_f32(losses.floatPointer, total.floatPointer, 1, rows, 1)
        let out = Tensor(total.item() / Float(counted))
        let savedX = SavedTensor(x)
        return record(out, inputs: [logits], name: "crossEntropy") { g in
            let logitValues = savedX.value
            let dx = Tensor(uninitializedShape: logitValues.shape)
            volt_cross_entropy_backward_f32(logitValues.floatPointer, t.int32Pointer, lse.floatPointer,
                                            g.item() / Float(counted), dx.floatPointer, rows, classes, ignoreIndex)
            return [dx]
        }
    }
}

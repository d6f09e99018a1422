import CVoltKernels

extension Tensor {
    /// SwiGLU's gating, silu(`gate`) · `up`, in one pass forward and one backward (LLaMA's feed-forward block).
    ///
    /// `gate` and `up` have the same shape; the result is float32 of that shape. In float32, values and gradients
    /// equal `gate.silu() * up` bit for bit (the same roundings, without the intermediate silu buffer and its
    /// backward pass); under fp16 or bf16 activation storage the saved inputs are rounded where the unfused ops
    /// round their own.
    public static func swiGLU(gate: Tensor, up: Tensor) -> Tensor {
        precondition(gate.shape == up.shape, "swiGLU: gate \(gate.shape) and up \(up.shape) differ")
        let g = gate.float32().contiguous(), u = up.float32().contiguous()
        let out = Tensor(uninitializedShape: gate.shape)
        volt_swiglu_f32(g.floatPointer, u.floatPointer, out.floatPointer, out.count)
        let savedGate = SavedTensor(g), savedUp = SavedTensor(u)
        return record(out, inputs: [gate, up], name: "swiGLU") { grad in
            let dy = grad.float32().contiguous(), g = savedGate.value.float32().contiguous(), u = savedUp.value.float32().contiguous()
            let dg = Tensor(uninitializedShape: dy.shape), du = Tensor(uninitializedShape: dy.shape)
            volt_swiglu_backward_f32(g.floatPointer, u.floatPointer, dy.floatPointer, dg.floatPointer, du.floatPointer, dy.count)
            return [dg, du]
        }
    }
}

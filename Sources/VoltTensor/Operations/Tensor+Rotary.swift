import CVoltKernels
import Foundation

extension Tensor {
    /// The rotary angles' cosines and sines, each [positions.count, frequencies]: row t holds
    /// cos(p · f) and sin(p · f) for position p = positions.lowerBound + t and every inverse frequency f.
    ///
    /// Computed in float32 as transformers' rotary embeddings compute them (`position * inv_freq`, then cos/sin),
    /// so that long positions round the same way.
    public static func rotaryTables(inverseFrequencies: [Float], positions: Range<Int>) -> (cos: Tensor, sin: Tensor) {
        let half = inverseFrequencies.count
        let cos = Tensor(uninitializedShape: [positions.count, half]), sin = Tensor(uninitializedShape: [positions.count, half])
        let c = cos.floatPointer, s = sin.floatPointer
        for (row, p) in positions.enumerated() {
            for (i, f) in inverseFrequencies.enumerated() {
                let angle = Float(p) * f
                c[row * half + i] = Foundation.cos(angle)
                s[row * half + i] = Foundation.sin(angle)
            }
        }
        return (cos, sin)
    }

    /// Rotary position embedding over whole heads, in transformers' LLaMA convention (`rotate_half`: the first and
    /// second halves of each head pair up, not interleaved neighbours): x · cos + rotate_half(x) · sin.
    ///
    /// `self` is [batch, seq, heads, headDim]; `cos` and `sin` are [seq, headDim / 2] from
    /// ``rotaryTables(inverseFrequencies:positions:)``, constants (no gradient flows into them). The gradient is
    /// the rotation by the negated angles.
    public func rotated(cos: Tensor, sin: Tensor) -> Tensor {
        precondition(rank == 4 && shape[3] % 2 == 0, "rotated: input must be [batch, seq, heads, even headDim], have \(shape)")
        let batch = shape[0], seq = shape[1], heads = shape[2], half = shape[3] / 2
        precondition(cos.shape == [seq, half] && sin.shape == [seq, half],
                     "rotated: cos and sin must be [\(seq), \(half)], have \(cos.shape) and \(sin.shape)")
        let x = float32().contiguous(), c = cos.float32().contiguous(), s = sin.float32().contiguous()
        let out = Tensor(uninitializedShape: shape)
        volt_rotary_f32(x.floatPointer, out.floatPointer, c.floatPointer, s.floatPointer, batch, seq, heads, half, 0)
        return Tensor.record(out, inputs: [self], name: "rotary") { g in
            let dy = g.contiguous()
            let dx = Tensor(uninitializedShape: dy.shape)
            volt_rotary_f32(dy.floatPointer, dx.floatPointer, c.floatPointer, s.floatPointer, batch, seq, heads, half, 1)
            return [dx]
        }
    }
}

import CVoltKernels
import XCTest
import VoltTensor

/// What the bfloat16 attention forward pass keeps for its backward pass: each head's gathered q, k and v (in place
/// of qkv), and each block's probabilities (in place of recomputing them).
final class AttentionKeptStateTests: XCTestCase {
    /// 200 positions: one full 128-query block and a partial one; padding keys; rotary on 8 of 32 dims.
    private let (batch, seq, heads, headDim) = (2, 200, 2, 32)

    private func descriptor(mask: Tensor) -> volt_attention_desc {
        volt_attention_desc(batch: batch, seq: seq, heads: heads, head_dim: headDim, rotary_dims: 8,
                            rotary_base: 10_000, key_mask: UnsafePointer(mask.floatPointer), dropout: 0, seed: 0,
                            offset: 0)
    }

    private func padding() -> Tensor {
        var values = [Float](repeating: 1, count: batch * seq)
        for t in 180..<seq { values[seq + t] = 0 }
        return Tensor(shape: [batch, seq], scalars: values)
    }

    func testBackwardFromKeptHeadsEqualsGatheringAndFromKeptProbabilitiesTracksRecomputing() throws {
        try XCTSkipUnless(MatMulBackends.bf16.supportsBF16, "no native bfloat16 matmul on this CPU")
        let mask = padding()
        defer { withExtendedLifetime(mask) {} }  // the descriptor points into it
        var desc = descriptor(mask: mask)
        let qkv = random([batch, seq, heads * 3 * headDim], low: -2, high: 2, seed: 21)
        let dout = random([batch, seq, heads * headDim], low: -1, high: 1, seed: 22)
        let out = Tensor(uninitializedShape: [batch, seq, heads * headDim])
        let lse = Tensor(uninitializedShape: [batch, heads, seq])
        let headsCopy = UnsafeMutablePointer<UInt16>.allocate(capacity: qkv.count)
        let probs = UnsafeMutablePointer<UInt16>.allocate(capacity: volt_attention_bf16_probs_count(&desc))
        defer { headsCopy.deallocate(); probs.deallocate() }
        let kept = volt_attention_bf16_saved(heads: headsCopy, probs: probs)
        XCTAssertEqual(volt_attention_forward_bf16(&desc, qkv.floatPointer, out.floatPointer, lse.floatPointer, kept,
                                                   nil), 0)
        func backward(_ saved: volt_attention_bf16_saved, qkv input: Tensor?) -> [Float] {
            let dqkv = Tensor(uninitializedShape: qkv.shape)
            let dqkv16 = UnsafeMutablePointer<UInt16>.allocate(capacity: qkv.count)
            defer { dqkv16.deallocate() }
            let width = heads * 3 * headDim
            var sums = [Float](repeating: 0, count: width)
            XCTAssertEqual(volt_attention_backward_bf16(&desc, input?.floatPointer, saved, out.floatPointer, nil,
                                                        lse.floatPointer, dout.floatPointer, dqkv.floatPointer,
                                                        dqkv16, &sums), 0)
            let values = dqkv.scalars
            assertClose(sums, dqkv.reshaped([-1, width]).sum(axes: [0]).scalars, atol: 1e-5, rtol: 1e-5)
            let rounded = values.map { v -> UInt16 in  // round to nearest even (no NaN here)
                let u = v.bitPattern
                return UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
            }
            XCTAssertEqual(Array(UnsafeBufferPointer(start: dqkv16, count: qkv.count)), rounded,
                           "dqkv16 is the gradient rounded")
            return values
        }
        let gathered = backward(volt_attention_bf16_saved(heads: nil, probs: nil), qkv: qkv)
        let fromHeads = backward(volt_attention_bf16_saved(heads: headsCopy, probs: nil), qkv: nil)
        let fromProbabilities = backward(kept, qkv: nil)
        XCTAssertEqual(fromHeads, gathered, "the kept heads are the values the gather pass makes")
        XCTAssertNotEqual(fromProbabilities, gathered, "the probabilities were read, not recomputed")
        // Kept probabilities are rounded once more than recomputed ones before dS = P ∘ (dP − δ): against the
        // float32 kernels, the error stays of the order the bfloat16 products already make.
        let out32 = Tensor(uninitializedShape: out.shape), lse32 = Tensor(uninitializedShape: lse.shape)
        let exact = Tensor(uninitializedShape: qkv.shape)
        volt_attention_forward_f32(&desc, qkv.floatPointer, out32.floatPointer, lse32.floatPointer)
        volt_attention_backward_f32(&desc, qkv.floatPointer, out32.floatPointer, lse32.floatPointer, dout.floatPointer,
                                    exact.floatPointer)
        func relativeError(_ a: [Float]) -> Float {
            let reference = exact.scalars
            let difference = zip(a, reference).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            return (difference / reference.map { $0 * $0 }.reduce(0, +)).squareRoot()
        }
        let recomputing = relativeError(gathered), keeping = relativeError(fromProbabilities)
        XCTAssertLessThan(recomputing, 0.02)
        XCTAssertLessThan(keeping, 1.5 * recomputing, "recomputing: \(recomputing), keeping: \(keeping)")

        // With nothing kept for it, a float32 backward pass can run from the unpacked heads.
        let unpacked = Tensor(uninitializedShape: qkv.shape)
        volt_attention_bf16_unpack(&desc, headsCopy, unpacked.floatPointer)
        assertClose(unpacked.scalars, qkv.scalars, atol: 0.02, rtol: 0)  // rounded after rotating, values in ±2
    }

    func testBF16AutocastKeepingProbabilitiesTracksFloat32() throws {
        try XCTSkipUnless(MatMulBackends.bf16.supportsBF16, "no native bfloat16 matmul on this CPU")
        // At 200 positions and 32 dims the probabilities take less than twice the room of q, k and v: kept.
        let mask = padding()
        var desc = descriptor(mask: mask)
        XCTAssertLessThanOrEqual(volt_attention_bf16_probs_count(&desc), 2 * batch * seq * heads * 3 * headDim)
        let qkv = random([batch, seq, heads * 3 * headDim], low: -1, high: 1, seed: 23)
        let configuration = AttentionConfiguration(heads: heads, rotaryDims: 8)
        assertProjectedBF16AttentionTracksFloat32(qkv: qkv, mask: mask, configuration: configuration, projectionSeed: 24)
    }
}

import Foundation
import XCTest
import VoltTensor

final class AttentionTests: XCTestCase {
    /// Straightforward causal attention in Double, GPT-NeoX conventions (rotate_half on the first rotaryDims).
    func reference(qkv: [Float], batch: Int, seq: Int, heads: Int, headDim: Int, rotary: Int, mask: [Float]?) -> [Float] {
        func at(_ b: Int, _ t: Int, _ h: Int, _ part: Int, _ e: Int) -> Double {
            Double(qkv[((b * seq + t) * heads + h) * 3 * headDim + part * headDim + e])
        }
        func rotated(_ b: Int, _ t: Int, _ h: Int, _ part: Int) -> [Double] {
            var x = (0..<headDim).map { at(b, t, h, part, $0) }
            let half = rotary / 2
            for f in 0..<half {
                let invFreq = 1 / Foundation.pow(10_000.0, Double(2 * f) / Double(rotary))
                let angle = Double(t) * invFreq
                let (a, c) = (x[f], x[f + half])
                x[f] = a * Foundation.cos(angle) - c * Foundation.sin(angle)
                x[f + half] = c * Foundation.cos(angle) + a * Foundation.sin(angle)
            }
            return x
        }
        var out = [Float](repeating: 0, count: batch * seq * heads * headDim)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<seq {
                    let q = rotated(b, i, h, 0)
                    var scores: [Double] = []
                    for j in 0...i {
                        let k = rotated(b, j, h, 1)
                        let visible = mask.map { $0[b * seq + j] != 0 } ?? true
                        scores.append(visible ? zip(q, k).map(*).reduce(0, +) / Double(headDim).squareRoot() : -.infinity)
                    }
                    let m = scores.max()!
                    let e = scores.map { Foundation.exp($0 - m) }, total = e.reduce(0, +)
                    for d in 0..<headDim {
                        let value = (0...i).reduce(0.0) { $0 + e[$1] / total * at(b, $1, h, 2, d) }
                        out[((b * seq + i) * heads + h) * headDim + d] = Float(value)
                    }
                }
            }
        }
        return out
    }

    func testForwardMatchesDirectComputationWithRotaryAndKeyMask() {
        let (batch, seq, heads, headDim) = (2, 70, 2, 8)  // seq > one 64-query block
        let qkv = random([batch, seq, heads * 3 * headDim], low: -2, high: 2, seed: 3)
        var maskValues = [Float](repeating: 1, count: batch * seq)
        for t in 60..<seq { maskValues[seq + t] = 0 }  // right padding in the second sequence
        let mask = Tensor(shape: [batch, seq], scalars: maskValues)
        var gen = RandomGenerator(seed: 0)
        let config = AttentionConfiguration(heads: heads, rotaryDims: 4)
        let y = Tensor.causalAttention(qkv: qkv, configuration: config, keyMask: mask, generator: &gen)
        let expected = reference(qkv: qkv.scalars, batch: batch, seq: seq, heads: heads, headDim: headDim, rotary: 4,
                                 mask: maskValues)
        assertClose(y.scalars, expected, atol: 2e-5, rtol: 1e-4)
    }

    func testCachedAttentionInPiecesMatchesDirectComputation() {
        let (seq, heads, headDim, capacity) = (70, 2, 8, 72)
        let qkv = random([1, seq, heads * 3 * headDim], low: -2, high: 2, seed: 4)
        let config = AttentionConfiguration(heads: heads, rotaryDims: 4)
        let keys = Tensor.zeros([heads, capacity, headDim]), values = Tensor.zeros([heads, capacity, headDim])
        var pieces: [Float] = []
        // A 66-token prefill (past one 64-query block), then single tokens, then a pair.
        for range in [0..<66, 66..<67, 67..<68, 68..<70] {
            let part = qkv.slice(axis: 1, range)
            pieces += Tensor.cachedCausalAttention(qkv: part, configuration: config, keys: keys, values: values,
                                                   position: range.lowerBound).scalars
        }
        let expected = reference(qkv: qkv.scalars, batch: 1, seq: seq, heads: heads, headDim: headDim, rotary: 4, mask: nil)
        assertClose(pieces, expected, atol: 2e-5, rtol: 1e-4)
    }

    func testGradientMatchesFiniteDifferences() {
        let qkv = random([2, 5, 2 * 3 * 4], seed: 4)
        let mask = Tensor(shape: [2, 5], scalars: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
        let config = AttentionConfiguration(heads: 2, rotaryDims: 2)
        checkGradients([qkv]) { x in
            var gen = RandomGenerator(seed: 0)
            return Tensor.causalAttention(qkv: x[0], configuration: config, keyMask: mask, generator: &gen)
        }
    }

    func testGradientWithDropoutMatchesFiniteDifferences() {
        let qkv = random([1, 6, 2 * 3 * 4], seed: 5)
        let config = AttentionConfiguration(heads: 2, rotaryDims: 4, dropout: 0.3)
        checkGradients([qkv]) { x in
            var gen = RandomGenerator(seed: 8)
            return Tensor.causalAttention(qkv: x[0], configuration: config, training: true, generator: &gen)
        }
    }

    func testGradientAcrossQueryBlocksMatchesFiniteDifferences() {
        // 66 positions span two query blocks; check a sample of elements through a small head.
        let qkv = random([1, 66, 1 * 3 * 2], seed: 6)
        let config = AttentionConfiguration(heads: 1, rotaryDims: 2)
        checkGradients([qkv]) { x in
            var gen = RandomGenerator(seed: 0)
            return Tensor.causalAttention(qkv: x[0], configuration: config, generator: &gen)
        }
    }

    func testBF16AutocastTracksFloat32InForwardAndBackward() throws {
        try XCTSkipUnless(MatMulBackends.bf16.supportsBF16, "no native bfloat16 matmul on this CPU")
        // 300 positions span three 128-query blocks; padding, rotary and dropout all take part.
        let (batch, seq, heads, headDim) = (2, 300, 2, 16)
        let qkv = random([batch, seq, heads * 3 * headDim], low: -1, high: 1, seed: 7)
        var maskValues = [Float](repeating: 1, count: batch * seq)
        for t in 280..<seq { maskValues[seq + t] = 0 }
        let mask = Tensor(shape: [batch, seq], scalars: maskValues)
        let weights = random([batch, seq, heads * headDim], seed: 8)
        let config = AttentionConfiguration(heads: heads, rotaryDims: 4, dropout: 0.1)
        func run(_ settings: Autocast) -> (out: [Float], grad: [Float]) {
            let x = qkv.detached()
            x.requiresGrad = true
            return withAutocast(settings) {
                var gen = RandomGenerator(seed: 11)
                let y = Tensor.causalAttention(qkv: x, configuration: config, keyMask: mask, training: true, generator: &gen)
                (y * weights).sum().backward()
                return (y.scalars, x.grad!.scalars)
            }
        }
        let full = run(.float32), half = run(.bfloat16)
        assertClose(half.out, full.out, atol: 0.03, rtol: 0.02)
        assertClose(half.grad, full.grad, atol: 0.05, rtol: 0.05)
        XCTAssertNotEqual(half.out, full.out, "bfloat16 products round their inputs")
        XCTAssertNotEqual(half.grad, full.grad, "bfloat16 products round their inputs")
    }
    func testBF16AutocastOnAnActivationTracksFloat32ThroughTheCopiesItKeeps() throws {
        try XCTSkipUnless(MatMulBackends.bf16.supportsBF16, "no native bfloat16 matmul on this CPU")
        // qkv made by an operation (as the projection makes it), no dropout: the bfloat16 pass keeps each head's
        // rotated q, k and v (at 300 positions of 16 dims the probabilities are recomputed, not kept), rounds the
        // probabilities as it normalises them, and writes its output's copy, which the next product takes.
        let (batch, seq, heads, headDim) = (2, 300, 2, 16)
        let qkv = random([batch, seq, heads * 3 * headDim], low: -1, high: 1, seed: 17)
        var maskValues = [Float](repeating: 1, count: batch * seq)
        for t in 270..<seq { maskValues[t] = 0 }
        let mask = Tensor(shape: [batch, seq], scalars: maskValues)
        let configuration = AttentionConfiguration(heads: heads, rotaryDims: 8)
        assertProjectedBF16AttentionTracksFloat32(qkv: qkv, mask: mask, configuration: configuration, projectionSeed: 18)
    }
}

/// Attention on qkv made by an operation (as the projection makes it), then a product, under bfloat16 autocast
/// against float32: outputs and qkv's gradient agree within bfloat16's resolution and differ from float32's.
func assertProjectedBF16AttentionTracksFloat32(qkv: Tensor, mask: Tensor, configuration: AttentionConfiguration,
                                               projectionSeed: UInt64, file: StaticString = #filePath,
                                               line: UInt = #line) {
    let projection = random([qkv.shape[2] / 3, 24], low: -0.5, high: 0.5, seed: projectionSeed)
    func run(_ settings: Autocast) -> (out: [Float], grad: [Float]) {
        let x = qkv.detached()
        x.requiresGrad = true
        return withAutocast(settings) {
            var gen = RandomGenerator(seed: 3)
            let y = Tensor.causalAttention(qkv: x * 2, configuration: configuration, keyMask: mask, training: true,
                                           generator: &gen).matmul(projection)
            y.sum().backward()
            return (y.scalars, x.grad!.scalars)
        }
    }
    let full = run(.float32), half = run(.bfloat16)
    assertClose(half.out, full.out, atol: 0.05, rtol: 0.03, file: file, line: line)
    assertClose(half.grad, full.grad, atol: 0.05, rtol: 0.05, file: file, line: line)
    XCTAssertNotEqual(half.grad, full.grad, "bfloat16 products round their inputs", file: file, line: line)
}

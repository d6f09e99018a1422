import Foundation
import XCTest
import VoltTensor

/// The operations LLaMA and Mixtral add: RMS norm, SiLU, whole-head rotary embeddings, grouped-query attention,
/// top-k and the row gather/scatter of expert routing — values against direct formulas, gradients against
/// finite differences.
final class LlamaOperationTests: XCTestCase {
    func testRMSNormMatchesFormulaAndFiniteDifferences() {
        let x = random([3, 5], low: -2, high: 2, seed: 1), w = random([5], low: 0.5, high: 1.5, seed: 2)
        let y = x.rmsNorm(weight: w, eps: 1e-5).scalars, xs = x.scalars, ws = w.scalars
        var expected: [Float] = []
        for r in 0..<3 {
            let row = xs[(r * 5)..<(r * 5 + 5)]
            let rstd = 1 / (row.map { $0 * $0 }.reduce(0, +) / 5 + 1e-5).squareRoot()
            expected += row.enumerated().map { ws[$0.offset] * ($0.element * rstd) }
        }
        assertClose(y, expected, atol: 1e-6)
        checkGradients([x, w]) { $0[0].rmsNorm(weight: $0[1], eps: 1e-5) }
        checkGradients([x]) { $0[0].rmsNorm(weight: nil) }
    }

    func testSiLUMatchesFormulaAndFiniteDifferences() {
        let x = random([2, 7], low: -4, high: 4, seed: 3)
        assertClose(x.silu().scalars, x.scalars.map { $0 / (1 + Foundation.exp(-$0)) }, atol: 1e-6)
        checkGradients([x]) { $0[0].silu() }
    }

    func testRotaryRotatesHalvesByPositionTimesFrequency() {
        let x = random([2, 3, 2, 4], seed: 4), frequencies: [Float] = [1, 0.1]
        let (cos, sin) = Tensor.rotaryTables(inverseFrequencies: frequencies, positions: 5..<8)
        let y = x.rotated(cos: cos, sin: sin).scalars, xs = x.scalars
        for row in 0..<12 {
            let t = (row / 2) % 3
            for i in 0..<2 {
                let angle = Double(5 + t) * Double(frequencies[i])
                let (a, b) = (Double(xs[row * 4 + i]), Double(xs[row * 4 + i + 2]))
                XCTAssertEqual(y[row * 4 + i], Float(a * Foundation.cos(angle) - b * Foundation.sin(angle)), accuracy: 1e-5)
                XCTAssertEqual(y[row * 4 + i + 2], Float(b * Foundation.cos(angle) + a * Foundation.sin(angle)), accuracy: 1e-5)
            }
        }
        checkGradients([x]) { $0[0].rotated(cos: cos, sin: sin) }
    }

    func testTopKPicksLargestWithLowerIndexOnTiesAndRoutesGradients() {
        let x = Tensor(shape: [2, 4], scalars: [0.1, 0.7, 0.3, 0.7, 2, -1, 5, 0])
        let (values, indices) = x.topK(2)
        XCTAssertEqual(values.scalars, [0.7, 0.7, 5, 2])
        XCTAssertEqual(indices.indices, [1, 3, 2, 0])
        // Values 0.2 apart, so the finite-difference steps never change which ones are picked.
        let y = Tensor(shape: [3, 5], scalars: [3, 0, 4, 1, 2, 1, 4, 0, 3, 2, 2, 3, 1, 0, 4].map { Float($0) * 0.2 })
        checkGradients([y]) { $0[0].topK(3).values }
    }

    func testRowGatherAndScatterAddAreEachOthersAdjoint() {
        let x = random([4, 3], seed: 6), rows = Tensor(shape: [5], indices: [2, 0, 2, 3, 2])
        let picked = x.selectingRows(rows).scalars, xs = x.scalars
        XCTAssertEqual(picked, [2, 0, 2, 3, 2].flatMap { Array(xs[($0 * 3)..<($0 * 3 + 3)]) })
        checkGradients([x]) { $0[0].selectingRows(rows) }

        let source = random([5, 3], seed: 7)
        let added = Tensor.indexAdd(source, indices: rows, rows: 4).scalars, ss = source.scalars
        var expected = [Float](repeating: 0, count: 12)
        for (i, r) in [2, 0, 2, 3, 2].enumerated() { for c in 0..<3 { expected[r * 3 + c] += ss[i * 3 + c] } }
        assertClose(added, expected, atol: 1e-6)
        checkGradients([source]) { Tensor.indexAdd($0[0], indices: rows, rows: 4) }
    }

    /// Grouped-query attention equals plain attention with every key/value head repeated for its query heads.
    func testGroupedQueryAttentionEqualsRepeatedHeadsAndMatchesFiniteDifferences() {
        let (b, s, heads, kvHeads, d) = (2, 4, 4, 2, 3)
        let q = random([b, s, heads, d], seed: 8), k = random([b, s, kvHeads, d], seed: 9), v = random([b, s, kvHeads, d], seed: 10)
        let mask = Tensor(shape: [b, s], scalars: [1, 1, 1, 1, 1, 0, 1, 1])
        var generator = RandomGenerator(seed: 0)
        let out = Tensor.causalAttention(query: q, key: k, value: v, keyMask: mask, generator: &generator).scalars
        // Reference: softmax(q·kᵀ/√d + causal and key mask)·v per head, key/value head h / (heads / kvHeads).
        let qs = q.scalars, ks = k.scalars, vs = v.scalars, ms = mask.scalars
        for bi in 0..<b {
            for h in 0..<heads {
                let g = h / (heads / kvHeads)
                for i in 0..<s {
                    var scores: [Double] = []
                    for j in 0...i {
                        var dot = 0.0
                        for e in 0..<d { dot += Double(qs[((bi * s + i) * heads + h) * d + e]) * Double(ks[((bi * s + j) * kvHeads + g) * d + e]) }
                        scores.append(ms[bi * s + j] == 0 ? -.infinity : dot / Double(d).squareRoot())
                    }
                    let m = scores.max()!, e = scores.map { Foundation.exp($0 - m) }, total = e.reduce(0, +)
                    for dim in 0..<d {
                        let expected = (0...i).reduce(0.0) { $0 + e[$1] / total * Double(vs[((bi * s + $1) * kvHeads + g) * d + dim]) }
                        XCTAssertEqual(out[((bi * s + i) * heads + h) * d + dim], Float(expected), accuracy: 1e-5)
                    }
                }
            }
        }
        checkGradients([q, k, v]) { x in
            var generator = RandomGenerator(seed: 0)
            return Tensor.causalAttention(query: x[0], key: x[1], value: x[2], keyMask: mask, generator: &generator)
        }
    }
}

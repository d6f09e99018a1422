import XCTest
import VoltTensor

final class StructureGradientTests: XCTestCase {
    func testReductionsMatchFiniteDifferences() {
        let x = random([2, 3, 4], seed: 1)
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].sum(axes: [1]) }
        checkGradients([x]) { $0[0].sum(axes: [0, 2], keepDims: true) }
        checkGradients([x]) { $0[0].mean(axes: [-1]) }
        checkGradients([x]) { $0[0].mean() }
        checkGradients([x]) { $0[0].max(axis: 1) }
        checkGradients([x]) { $0[0].max(axis: -1, keepDims: true) }
    }

    func testMatMulMatchesFiniteDifferencesForAllLayouts() {
        let a = random([3, 4], seed: 1), b = random([4, 5], seed: 2)
        checkGradients([a, b]) { $0[0].matmul($0[1]) }
        let at = random([4, 3], seed: 3), bt = random([5, 4], seed: 4)
        checkGradients([at, bt]) { $0[0].transposed().matmul($0[1].transposed()) }
        let batched = random([2, 3, 4], seed: 5), batchedB = random([2, 4, 2], seed: 6)
        checkGradients([batched, batchedB]) { $0[0].matmul($0[1]) }
        checkGradients([batched, b]) { $0[0].matmul($0[1]) }
        checkGradients([batched, bt]) { $0[0].matmul($0[1].transposed()) }  // a Linear layer: x · Wᵀ
        checkGradients([a, batchedB]) { $0[0].matmul($0[1]) }
        let heads = random([2, 3, 2, 4], seed: 7)  // [batch, seq, heads, dim] → attention-style [b, h, s, d]
        checkGradients([heads]) { x in
            let q = x[0].permuted([0, 2, 1, 3])
            return q.matmul(q.transposed())
        }
    }

    func testSoftmaxAndLayerNormMatchFiniteDifferences() {
        let x = random([3, 5], low: -3, high: 3, seed: 1)
        checkGradients([x]) { $0[0].softmax() }
        checkGradients([x]) { $0[0].logSoftmax() }
        checkGradients([x]) { $0[0].softmax(axis: 0) }
        let w = random([5], low: 0.5, high: 1.5, seed: 2), b = random([5], seed: 3)
        checkGradients([x, w, b]) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
        checkGradients([x]) { $0[0].layerNorm(weight: nil, bias: nil) }
    }

    func testEmbeddingAndCrossEntropyMatchFiniteDifferences() throws {
        let weight = random([6, 3], seed: 4)
        let ids = Tensor(shape: [2, 2], indices: [1, 5, 1, 0])
        checkGradients([weight]) { try! Tensor.embedding(ids, weight: $0[0]) }
        let logits = random([4, 6], low: -2, high: 2, seed: 5)
        let targets = Tensor(shape: [4], indices: [2, -100, 5, 0])
        checkGradients([logits]) { try! Tensor.crossEntropy(logits: $0[0], targets: targets) }
    }

    func testViewsConcatAndSplitMatchFiniteDifferences() {
        let a = random([2, 3], seed: 1), b = random([2, 2], seed: 2)
        checkGradients([a, b]) { Tensor.concat([$0[0], $0[1]], axis: 1) }
        checkGradients([a]) { Tensor.concat([$0[0], $0[0]], axis: 0) }
        checkGradients([a]) { x in
            let parts = x[0].split([1, 2], axis: 1)
            return parts[1] * parts[1] + parts[0]
        }
        checkGradients([a]) { $0[0].reshaped([3, 2]).transposed() * 2 }
        checkGradients([a]) { $0[0].slice(axis: 1, 1..<3).reshaped([4]) }
        checkGradients([a]) { $0[0].unsqueezed(0).expanded(to: [3, 2, 3]) }
        let c = random([2, 3, 4], seed: 3)
        checkGradients([c]) { $0[0].permuted([2, 0, 1]).contiguous() }
    }

    func testHalfPrecisionConversionPassesGradient() {
        let x = random([5], seed: 3)
        checkGradients([x], eps: 5e-2, atol: 2e-2, rtol: 5e-2) { $0[0].to(.float16).float32() * 3 }
    }
}

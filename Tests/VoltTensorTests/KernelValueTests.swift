import Foundation
import XCTest
import VoltTensor

/// Forward values against independent references (Foundation's double-precision math, direct formulas).
final class KernelValueTests: XCTestCase {
    let grid: [Float] = stride(from: -20.0, through: 20.0, by: 0.037).map { Float($0) }

    func testTranscendentalsAgreeWithDoublePrecisionReferences() {
        let x = Tensor(shape: [grid.count], scalars: grid)
        assertClose(x.exp().scalars, grid.map { Float(Foundation.exp(Double($0))) }, atol: 0, rtol: 3e-7)
        assertClose(x.tanh().scalars, grid.map { Float(Foundation.tanh(Double($0))) }, atol: 2e-7, rtol: 2e-6)
        let positive = grid.map { abs($0) + 1e-3 }
        assertClose(Tensor(shape: [grid.count], scalars: positive).log().scalars,
                    positive.map { Float(Foundation.log(Double($0))) }, atol: 1e-7, rtol: 3e-7)
        let geluErf = grid.map { v -> Float in let d = Double(v); return Float(0.5 * d * (1 + erf(d / 2.0.squareRoot()))) }
        assertClose(x.gelu().scalars, geluErf, atol: 5e-6, rtol: 1e-6)
        let geluTanh = grid.map { v -> Float in
            let d = Double(v)
            return Float(0.5 * d * (1 + Foundation.tanh(0.7978845608028654 * (d + 0.044715 * d * d * d))))
        }
        assertClose(x.gelu(approximation: .tanh).scalars, geluTanh, atol: 2e-6, rtol: 2e-6)
    }

    func testEdgeCasesOfTranscendentals() {
        let special = Tensor(shape: [5], scalars: [0, -1, .infinity, -.infinity, .nan])
        let logs = special.log().scalars
        XCTAssertEqual(logs[0], -.infinity)
        XCTAssertTrue(logs[1].isNaN)
        XCTAssertEqual(logs[2], .infinity)
        XCTAssertTrue(logs[4].isNaN)
        let exps = special.exp().scalars
        XCTAssertEqual(exps[2], .infinity)
        XCTAssertEqual(exps[3], 0)
        XCTAssertTrue(exps[4].isNaN)
        XCTAssertEqual(Tensor(shape: [2], scalars: [100, -100]).tanh().scalars, [1, -1])
    }

    func testSoftmaxRowsSumToOneAndMatchTheDefinition() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1000, 1000, -.infinity])
        let y = x.softmax().scalars
        let e = [1.0, 2.0, 3.0].map(Foundation.exp), total = e.reduce(0, +)
        assertClose(Array(y[0..<3]), e.map { Float($0 / total) }, atol: 1e-7, rtol: 1e-6)
        assertClose(Array(y[3..<6]), [0.5, 0.5, 0])
        assertClose(x.logSoftmax().scalars[0..<3].map { $0 }, e.map { Float(Foundation.log($0 / total)) })
    }

    func testLayerNormMatchesTheDefinition() {
        let row: [Float] = [1, 2, 4, 8]
        let mean = row.reduce(0, +) / 4
        let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
        let expected = row.enumerated().map { (i, v) in (v - mean) / (variance + 1e-5).squareRoot() * Float(i + 1) + 0.5 }
        let y = Tensor(shape: [1, 4], scalars: row)
            .layerNorm(weight: Tensor(shape: [4], scalars: [1, 2, 3, 4]), bias: Tensor(shape: [4], scalars: [0.5, 0.5, 0.5, 0.5]))
        assertClose(y.scalars, expected, atol: 1e-5)
    }

    func testCrossEntropyMatchesTheDefinitionAndIgnoresTargets() throws {
        let logits: [Float] = [1, 2, 3, 0, 0, 0, -1, 5, 2]
        let loss = try Tensor.crossEntropy(logits: Tensor(shape: [3, 3], scalars: logits),
                                           targets: Tensor(shape: [3], indices: [2, -100, 1]))
        func term(_ row: ArraySlice<Float>, _ t: Int) -> Double {
            let lse = Foundation.log(row.map { Foundation.exp(Double($0)) }.reduce(0, +))
            return lse - Double(row[row.startIndex + t])
        }
        let expected = (term(logits[0..<3], 2) + term(logits[6..<9], 1)) / 2
        XCTAssertEqual(Double(loss.item()), expected, accuracy: 1e-6)
        let allIgnored = try Tensor.crossEntropy(logits: Tensor.zeros([1, 3]), targets: Tensor(shape: [1], indices: [-100]))
        XCTAssertTrue(allIgnored.item().isNaN)
    }

    func testOutOfRangeIndicesThrowWithPosition() {
        XCTAssertThrowsError(try Tensor.embedding(Tensor(shape: [3], indices: [0, 7, 1]), weight: Tensor.zeros([4, 2]))) {
            XCTAssertEqual($0 as? TensorError, .indexOutOfRange(operation: "embedding", position: 1, index: 7, bound: 4))
        }
        XCTAssertThrowsError(try Tensor.crossEntropy(logits: Tensor.zeros([2, 3]), targets: Tensor(shape: [2], indices: [0, 3]))) {
            XCTAssertEqual($0 as? TensorError, .indexOutOfRange(operation: "crossEntropy", position: 1, index: 3, bound: 3))
        }
    }

    func testReductionsOverLargeInputsMatchDoubleSums() {
        let x = random([300_001], seed: 9)
        let expected = x.scalars.reduce(0.0) { $0 + Double($1) }
        XCTAssertEqual(Double(x.sum().item()), expected, accuracy: 1e-2)
        let m = random([3, 7, 5], seed: 10)
        let values = m.scalars
        let maxes = m.max(axis: 1).scalars
        for o in 0..<3 {
            for i in 0..<5 {
                let column = (0..<7).map { values[o * 35 + $0 * 5 + i] }
                XCTAssertEqual(maxes[o * 5 + i], column.max())
            }
        }
    }

    func testHalfPrecisionConversionsRoundToNearestEven() {
        let values: [Float] = [1, 1.0009766, 65504, 70000, -2.5, 1e-8, .infinity, .nan]
        let f16 = Tensor(shape: [values.count], scalars: values).to(.float16).float32().scalars
        XCTAssertEqual(Array(f16[0..<5]), [1, 1.0009766, 65504, .infinity, -2.5])
        XCTAssertEqual(f16[5], 0)
        XCTAssertTrue(f16[7].isNaN)
        // bf16 keeps 8 significant bits: 1 + 2⁻⁸ is a tie and rounds to even (1); 1 + 3·2⁻⁸ rounds up.
        let bf = Tensor(shape: [4], scalars: [1 + 1.0 / 256, 1 + 3.0 / 256, 3e38, .nan]).to(.bfloat16).float32().scalars
        XCTAssertEqual(bf[0], 1)
        XCTAssertEqual(bf[1], 1 + 4.0 / 256)
        XCTAssertEqual(bf[2], 3.0040553e38)  // nearer neighbour of 3e38 (2.9907630e38 is farther)
        XCTAssertTrue(bf[3].isNaN)
    }
}

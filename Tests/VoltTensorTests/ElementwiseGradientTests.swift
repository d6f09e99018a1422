import XCTest
import VoltTensor

final class ElementwiseGradientTests: XCTestCase {
    func testBinaryOperationsWithBroadcastingMatchFiniteDifferences() {
        let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 3], [2, 1]), ([2, 3], []),
                                        ([3], [2, 3]), ([2, 1, 3], [4, 1]), ([1, 3], [2, 1])]
        for (sa, sb) in shapes {
            let a = random(sa, seed: 1), b = random(sb, low: 0.5, high: 1.5, seed: 2)
            checkGradients([a, b]) { $0[0] + $0[1] }
            checkGradients([a, b]) { $0[0] - $0[1] }
            checkGradients([a, b]) { $0[0] * $0[1] }
            checkGradients([a, b]) { $0[0] / $0[1] }
        }
    }

    func testPowerOfTensorsMatchesFiniteDifferences() {
        let base = random([2, 3], low: 0.5, high: 2, seed: 3), exponent = random([3], low: -1, high: 2, seed: 4)
        checkGradients([base, exponent]) { $0[0].pow($0[1]) }
    }

    func testUnaryOperationsMatchFiniteDifferences() {
        let x = random([3, 4], low: -2, high: 2, seed: 5)
        let positive = random([3, 4], low: 0.3, high: 3, seed: 6)
        checkGradients([x]) { -$0[0] }
        checkGradients([x]) { $0[0].exp() }
        checkGradients([positive]) { $0[0].log() }
        checkGradients([positive]) { $0[0].sqrt() }
        checkGradients([positive]) { $0[0].pow(2.5) }
        checkGradients([x]) { $0[0].pow(2) }
        checkGradients([x]) { $0[0].tanh() }
        checkGradients([x]) { $0[0].sigmoid() }
        checkGradients([x]) { $0[0].gelu() }
        checkGradients([x]) { $0[0].gelu(approximation: .tanh) }
        checkGradients([x]) { 3 * $0[0] + 1 }
        checkGradients([x]) { 2 - $0[0] / 4 }
        checkGradients([positive]) { 1 / $0[0] }
    }

    func testMaskedFillPassesGradientOnlyWhereNotMasked() {
        let x = random([2, 3], seed: 7)
        let mask = Tensor(shape: [1, 3], scalars: [0, 1, 0])
        checkGradients([x]) { $0[0].maskedFill(mask, value: -5) }
        let y = x.detached().maskedFill(mask, value: -.infinity)
        XCTAssertEqual(y.scalars[1], -.infinity)
        XCTAssertEqual(y.scalars[0], x.scalars[0])
    }

    func testDropoutGradientUsesTheForwardMask() {
        let x = random([4, 8], seed: 8)
        checkGradients([x]) { inputs in
            var gen = RandomGenerator(seed: 5)
            return inputs[0].dropout(0.3, generator: &gen)
        }
    }

    func testDropoutKeepsExpectedFractionAndScales() {
        var gen = RandomGenerator(seed: 11)
        let y = Tensor.ones([100_000]).dropout(0.25, generator: &gen).scalars
        let kept = y.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 100_000, 0.75, accuracy: 0.01)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
        XCTAssertEqual(gen.offset, 100_000, "the generator advances by the elements drawn")
        var eval = RandomGenerator(seed: 11)
        XCTAssertEqual(Tensor.ones([4]).dropout(0.5, training: false, generator: &eval).scalars, [1, 1, 1, 1])
    }
}

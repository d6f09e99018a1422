import XCTest
import VoltTensor

/// The fused SwiGLU gating against the unfused silu and multiply it replaces, and against finite differences.
final class SwiGLUTests: XCTestCase {
    func testSwiGLUEqualsUnfusedSiLUTimesUpBitForBit() {
        let gate = random([37, 301], low: -6, high: 6, seed: 11), up = random([37, 301], low: -2, high: 2, seed: 12)
        let upstream = random([37, 301], seed: 13)
        func run(_ f: (Tensor, Tensor) -> Tensor) -> (value: [Float], gate: [Float], up: [Float]) {
            let g = gate.detached(), u = up.detached()
            g.requiresGrad = true
            u.requiresGrad = true
            let y = f(g, u)
            (y * upstream).sum().backward()
            return (y.scalars, g.grad!.scalars, u.grad!.scalars)
        }
        let fused = run { Tensor.swiGLU(gate: $0, up: $1) }, unfused = run { $0.silu() * $1 }
        XCTAssertEqual(fused.value, unfused.value)
        XCTAssertEqual(fused.gate, unfused.gate)
        XCTAssertEqual(fused.up, unfused.up)
    }

    func testSwiGLUGradientsMatchFiniteDifferences() {
        let gate = random([3, 5], low: -4, high: 4, seed: 14), up = random([3, 5], seed: 15)
        checkGradients([gate, up]) { Tensor.swiGLU(gate: $0[0], up: $0[1]) }
    }
}

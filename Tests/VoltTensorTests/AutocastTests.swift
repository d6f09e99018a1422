import XCTest
import VoltTensor

final class AutocastTests: XCTestCase {
    func testBF16ProductsAndGradientsTrackFloat32() {
        let x = random([16, 32], seed: 1), w = random([24, 32], seed: 2)
        func run(_ settings: Autocast) -> ([Float], [Float]) {
            w.grad = nil
            w.requiresGrad = true
            return withAutocast(settings) {
                let y = x.matmul(w.transposed()).gelu(approximation: .tanh)
                y.sum().backward()
                return (y.scalars, w.grad!.scalars)
            }
        }
        let (y32, g32) = run(.float32), (y16, g16) = run(.bfloat16), (yh, gh) = run(.float16)
        assertClose(y16, y32, atol: 0.05, rtol: 0.02)
        assertClose(g16, g32, atol: 0.1, rtol: 0.02)
        assertClose(yh, y32, atol: 1e-5, rtol: 1e-5)  // fp16 computes in float32: only saved tensors are rounded
        assertClose(gh, g32, atol: 2e-2, rtol: 2e-3)
        XCTAssertNotEqual(y16, y32, "bf16 inputs change the product")
    }

    func testHalfPrecisionStorageHalvesSavedActivations() {
        let x = random([256, 1024], seed: 3)
        x.requiresGrad = true
        func peak(_ settings: Autocast) -> Int {
            BufferPool.shared.resetPeak()
            let before = BufferPool.shared.usage.live
            let kept = withAutocast(settings) { (0..<4).reduce(x) { h, _ in (h * 1.0001).tanh() } }
            let held = BufferPool.shared.usage.live - before
            withExtendedLifetime(kept) {}
            return held
        }
        let full = peak(.float32), half = peak(.float16)
        // Each of 8 ops keeps its output (1 MiB) and saves one float32 (1 MiB) or float16 (0.5 MiB) tensor.
        XCTAssertLessThan(Double(half), Double(full) * 0.85, "saved activations shrink: \(half) vs \(full) bytes")
    }

    func testOperationsSavingOneActivationShareItsRoundedCopy() {
        let x = random([256, 1024], seed: 4), weights = (0..<2).map { random([1024, 8], seed: 5 + UInt64($0)) }
        x.requiresGrad = true
        for w in weights { w.requiresGrad = true }
        func held(consumers: Int) -> Int {
            let before = BufferPool.shared.usage.live
            let outputs = withAutocast(.float16) {
                let h = x.tanh()  // a 1 MiB activation, saved once as 0.5 MiB of float16 by each consumer
                return weights.prefix(consumers).map { h.matmul($0) }
            }
            defer { withExtendedLifetime(outputs) {} }
            return BufferPool.shared.usage.live - before
        }
        let one = held(consumers: 1), two = held(consumers: 2)
        XCTAssertLessThan(two - one, 64 << 10, "a second consumer adds its 8 KiB output, not another copy (\(one) → \(two) bytes)")
    }

    /// A checkpointed layer runs its forward pass with recording off: its input (an activation the checkpoint
    /// keeps) must not be left holding a bfloat16 copy that no backward pass will read.
    func testRecordingOffKeepsNoRoundedCopyOfItsInputs() {
        let x = random([256, 1024], seed: 8)
        x.requiresGrad = true
        let h = x.tanh()  // an activation, as a checkpointed layer's input is
        let before = BufferPool.shared.usage.live
        let y = withAutocast(.bfloat16) { withNoGrad { h.layerNorm(weight: nil, bias: nil) } }
        let held = BufferPool.shared.usage.live - before
        withExtendedLifetime(y) {}
        XCTAssertLessThanOrEqual(held, (1 << 20) + 4096, "the 1 MiB output only, no 0.5 MiB bfloat16 copy of h (\(held) bytes)")
    }
}

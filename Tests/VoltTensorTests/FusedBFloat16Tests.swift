import XCTest
import VoltTensor

/// The fused paths — a linear layer's bias added inside the product, an activation function writing the bfloat16
/// copies its backward pass and the next projection read, a product keeping the operands it rounded — give the
/// same numbers as the unfused operations they replace.
final class FusedBFloat16Tests: XCTestCase {
    func testLinearMatchesFiniteDifferences() {
        let x = random([2, 3, 4], seed: 11), w = random([5, 4], seed: 12), b = random([5], seed: 13)
        checkGradients([x, w, b]) { $0[0].linear($0[1], bias: $0[2]) }
        checkGradients([x, w]) { $0[0].linear($0[1], bias: nil) }
    }

    /// The bias comes out of the product kernel, the unfused form adds it in a second pass: the same float32
    /// additions, so values and all three gradients are equal, in float32 and under bfloat16 autocast.
    func testLinearEqualsProductPlusBias() {
        for settings in [Autocast.float32, .bfloat16] {
            func run(fused: Bool) -> [[Float]] {
                let x = random([4, 7, 32], seed: 21), w = random([24, 32], seed: 22), b = random([24], seed: 23)
                for t in [x, w, b] { t.requiresGrad = true }
                let h = x * 1  // an activation, as a layer's input is
                let y = withAutocast(settings) {
                    fused ? h.linear(w, bias: b) : h.matmul(w.transposed()) + b
                }
                withAutocast(settings) { (y * random(y.shape, seed: 24)).sum().backward() }
                return [y.scalars, x.grad!.scalars, w.grad!.scalars, b.grad!.scalars]
            }
            XCTAssertTrue(run(fused: true) == run(fused: false), "values and gradients equal under \(settings)")
        }
    }

    /// Under bfloat16 autocast GELU saves its input rounded to bfloat16 and its backward reads that copy directly:
    /// the gradient equals the float32 derivative at the rounded input, bit for bit. Its output is bfloat16, the
    /// float32 GELU of the float32 input rounded once, and the next product takes it as it is.
    func testActivationSavesItsRoundedInputAndWritesItsProductCopy() {
        let x = random([64, 40], low: -4, high: 4, seed: 31)
        x.requiresGrad = true
        let dy = random([64, 40], seed: 32)
        let y = withAutocast(.bfloat16) { (x * 1).gelu(approximation: .tanh) }
        withAutocast(.bfloat16) { y.backward(dy) }

        let rounded = withNoGrad { x.to(.bfloat16).float32() }
        rounded.requiresGrad = true
        let reference = rounded.gelu(approximation: .tanh)
        reference.backward(dy)
        XCTAssertTrue(x.grad!.scalars == rounded.grad!.scalars, "the derivative at the rounded input, bit for bit")
        XCTAssertEqual(y.dtype, .bfloat16, "GELU's output is the bfloat16 input of the next projection")
        XCTAssertTrue(y.scalars == x.gelu(approximation: .tanh).to(.bfloat16).scalars,
                      "the output is computed from the float32 input and rounded once")
        XCTAssertTrue(x.scalars != rounded.scalars, "the check needs inputs that bfloat16 rounds")

        // The next bfloat16 product reads the copy written with the output.
        let w = random([8, 40], seed: 33)
        let product = withAutocast(.bfloat16) { y.matmul(w.transposed()) }
        let fromRounded = withAutocast(.bfloat16) { y.to(.bfloat16).matmul(w.transposed()) }
        XCTAssertTrue(product.scalars == fromRounded.scalars, "the product of the rounded output")
    }

    /// A product under bfloat16 autocast keeps the bfloat16 operands it made for its backward pass: a leaf weight's
    /// gradient and the input's gradient equal the ones computed from explicitly rounded operands.
    func testProductBackwardReadsTheOperandsItRounded() {
        let x = random([6, 16], seed: 41), w = random([12, 16], seed: 42), g = random([6, 12], seed: 43)
        for t in [x, w] { t.requiresGrad = true }
        let h = x * 1
        let y = withAutocast(.bfloat16) { h.matmul(w.transposed()) }
        withAutocast(.bfloat16) { y.backward(g) }

        let (x16, w16, g16) = withNoGrad { (x.to(.bfloat16).float32(), w.to(.bfloat16).float32(), g.to(.bfloat16).float32()) }
        // Same rounded operands, float32 accumulation in another order: equal to float32 rounding.
        assertClose(w.grad!.scalars, g16.transposed().matmul(x16).scalars, atol: 1e-6, rtol: 1e-6)
        assertClose(x.grad!.scalars, g16.matmul(w16).scalars, atol: 1e-6, rtol: 1e-6)
        // Rounding only the input, or only the weight, would be off by bfloat16's resolution.
        XCTAssertGreaterThan(zip(w.grad!.scalars, g.transposed().matmul(x16).scalars).map { abs($0 - $1) }.max()!, 1e-4)
    }

    /// Linear → GELU → linear under bfloat16 autocast: the first weight's gradient is the product of the rounded
    /// GELU input gradient (written by GELU's backward in the same pass) and the rounded layer input; the first
    /// bias's gradient is the column sums of the float32 GELU input gradient (also summed in that pass).
    func testActivationGradientReachesTheProjectionRounded() {
        // 100 rows: GELU's backward sums them in chunks of 32, the last one partial.
        let x = random([100, 24], seed: 51), w1 = random([40, 24], seed: 52), w2 = random([8, 40], seed: 53)
        let b1 = random([40], seed: 55), g = random([100, 8], seed: 54)
        for t in [x, w1, w2, b1] { t.requiresGrad = true }
        let h = x * 1
        let pre = withAutocast(.bfloat16) { h.linear(w1, bias: b1) }
        let out = withAutocast(.bfloat16) { pre.gelu(approximation: .tanh).linear(w2, bias: nil) }
        withAutocast(.bfloat16) { out.backward(g) }

        // The same chain by hand, in float32 from explicitly rounded values.
        let (x16, w216, g16) = withNoGrad { (x.to(.bfloat16).float32(), w2.to(.bfloat16).float32(), g.to(.bfloat16).float32()) }
        let dy = g16.matmul(w216)  // gradient reaching GELU's output
        let preRounded = withNoGrad { pre.to(.bfloat16).float32() }
        preRounded.requiresGrad = true
        preRounded.gelu(approximation: .tanh).backward(dy)
        let dPre = withNoGrad { preRounded.grad!.to(.bfloat16).float32() }
        assertClose(w1.grad!.scalars, dPre.transposed().matmul(x16).scalars, atol: 1e-5, rtol: 1e-5)
        let unrounded = preRounded.grad!.transposed().matmul(x16).scalars
        XCTAssertGreaterThan(zip(w1.grad!.scalars, unrounded).map { abs($0 - $1) }.max()!, 1e-4,
                             "the check tells a rounded gradient from an unrounded one")
        assertClose(b1.grad!.scalars, preRounded.grad!.sum(axes: [0]).scalars, atol: 1e-5, rtol: 1e-5)
    }

    /// Under bfloat16 autocast layerNorm writes, in its one pass, the bfloat16 copy of its input that its backward
    /// pass reads and the copy of its output that the next product takes. With inputs bfloat16 holds exactly, the
    /// gradients equal float32's bit for bit; the product of the output equals the product of the output rounded
    /// afresh.
    func testLayerNormWritesTheCopiesItsBackwardAndTheNextProductRead() {
        let values = random([48, 96], low: -3, high: 3, seed: 41).to(.bfloat16).float32()
        let dy = random([48, 96], seed: 44), projection = random([96, 16], seed: 45)
        func run(_ settings: Autocast) -> [[Float]] {
            let x = values.detached(), w = random([96], seed: 42), b = random([96], seed: 43)
            for t in [x, w, b] { t.requiresGrad = true }
            let y = withAutocast(settings) { (x * 1).layerNorm(weight: w, bias: b) }
            withAutocast(settings) { y.backward(dy) }
            let products = withAutocast(settings) {
                [y.matmul(projection).scalars, Tensor(shape: y.shape, scalars: y.scalars).matmul(projection).scalars]
            }
            return [x.grad!.scalars, w.grad!.scalars, b.grad!.scalars] + products
        }
        let half = run(.bfloat16), full = run(.float32)
        XCTAssertTrue(half[0..<3] == full[0..<3], "gradients from the saved bfloat16 input equal float32's")
        XCTAssertEqual(half[3], half[4], "the output's bfloat16 copy is the output rounded")
        XCTAssertNotEqual(half[3], full[3], "the bfloat16 product rounds its inputs")
    }
}

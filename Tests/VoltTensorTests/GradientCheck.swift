import XCTest
import VoltTensor

/// Compares reverse-mode gradients with central finite differences.
///
/// The scalar checked is Σ f(inputs) ⊙ r for a fixed random r, so every output element contributes with its own
/// weight and a wrong sign, a missing term or a transposed gradient changes the result.
func checkGradients(_ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 2e-3, rtol: Float = 2e-2,
                    file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) -> Tensor) {
    for x in inputs { x.requiresGrad = true; x.grad = nil }
    let probe = f(inputs)
    var gen = RandomGenerator(seed: 99)
    let weights = Tensor.uniform(probe.shape, low: -1, high: 1, generator: &gen)
    (probe * weights).sum().backward()
    func objective() -> Double { withNoGrad { Double((f(inputs) * weights).sum().item()) } }
    for (index, x) in inputs.enumerated() {
        guard let analytic = x.grad?.scalars else {
            XCTFail("input \(index) received no gradient", file: file, line: line)
            continue
        }
        let p = x.floatPointer
        for i in 0..<x.count {
            let saved = p[i]
            p[i] = saved + eps
            let plus = objective()
            p[i] = saved - eps
            let minus = objective()
            p[i] = saved
            let numeric = Float((plus - minus) / Double(2 * eps))
            let a = analytic[i]
            if abs(a - numeric) > atol + rtol * abs(numeric) {
                XCTFail("input \(index) element \(i): analytic \(a), numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}

/// A tensor of `shape` with uniform values in [low, high) from a fixed seed.
func random(_ shape: [Int], low: Float = -1, high: Float = 1, seed: UInt64 = 1) -> Tensor {
    var gen = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, generator: &gen)
}

func assertClose(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-5,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "element counts differ", file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= atol + rtol * abs(y)) && !(x.isNaN && y.isNaN) {
        XCTFail("element \(i): \(x) vs \(y)", file: file, line: line)
        return
    }
}

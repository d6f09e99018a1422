import XCTest
import VoltTensor

final class MatMulBackendTests: XCTestCase {
    /// Naive triple loop in Double over row-major inputs.
    func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
        (0..<m * n).map { idx in
            let i = idx / n, j = idx % n
            return Float((0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[$1 * n + j]) })
        }
    }

    func testMatMulMatchesNaiveProduct() {
        let a = random([7, 13], seed: 1), b = random([13, 5], seed: 2)
        assertClose(a.matmul(b).scalars, reference(a.scalars, b.scalars, m: 7, n: 5, k: 13), atol: 1e-5)
    }

    func testBackendsAgreeOnEveryLayout() throws {
        guard let oneDNN = MatMulBackends.oneDNN else { throw XCTSkip("oneDNN engine unavailable") }
        let m = 33, n = 17, k = 29, batch = 3
        let a = random([batch, m, k], seed: 3), b = random([batch, k, n], seed: 4)
        let at = a.transposed().contiguous(), bt = b.transposed().contiguous()  // stored transposed
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            for broadcastB in [false, true] {
                let shape = GEMMShape(batch: batch, m: m, n: n, k: k,
                                      a: GEMMOperand(transposed: ta, leadingDimension: ta ? m : k, batchStride: m * k),
                                      b: GEMMOperand(transposed: tb, leadingDimension: tb ? k : n,
                                                     batchStride: broadcastB ? 0 : k * n))
                let outBLAS = Tensor(uninitializedShape: [batch, m, n]), outDNNL = Tensor(uninitializedShape: [batch, m, n])
                let pa = (ta ? at : a).floatPointer, pb = (tb ? bt : b).floatPointer
                MatMulBackends.openBLAS.multiply(shape, a: pa, b: pb, c: outBLAS.floatPointer)
                oneDNN.multiply(shape, a: pa, b: pb, c: outDNNL.floatPointer)
                assertClose(outDNNL.scalars, outBLAS.scalars, atol: 1e-5, rtol: 1e-5)
                let first = reference(Array(a.scalars[0..<(m * k)]), Array(b.scalars[0..<(k * n)]), m: m, n: n, k: k)
                assertClose(Array(outBLAS.scalars[0..<(m * n)]), first, atol: 1e-5)
            }
        }
    }

    func testBF16ProductIsCloseToFloat32() throws {
        let m = 64, n = 48, k = 96
        let a = random([m, k], seed: 5), b = random([k, n], seed: 6)
        let a16 = a.to(.bfloat16), b16 = b.to(.bfloat16)
        let out = Tensor(uninitializedShape: [m, n])
        MatMulBackends.bf16.multiplyBF16(.rowMajor(m: m, n: n, k: k),
                                         a: a16.rawPointer.assumingMemoryBound(to: UInt16.self),
                                         b: b16.rawPointer.assumingMemoryBound(to: UInt16.self), c: out.floatPointer)
        // Exact products of the rounded inputs, accumulated in float32.
        let expected = reference(a16.float32().scalars, b16.float32().scalars, m: m, n: n, k: k)
        assertClose(out.scalars, expected, atol: 1e-4, rtol: 1e-4)
        let fullPrecision = reference(a.scalars, b.scalars, m: m, n: n, k: k)
        assertClose(out.scalars, fullPrecision, atol: 0.1, rtol: 0.02)
    }

    func testSelectionHonoursTheEnvironmentAndOpenBLASIsTheOpenMPBuild() {
        if let forced = ProcessInfo.processInfo.environment["VOLT_BACKEND"] {
            XCTAssertEqual(MatMulBackends.selected.name, forced)
        }
        XCTAssertTrue(OpenBLASBackend.isOpenMPBuild, "OpenBLAS's pthread build is loaded: it fights oneDNN's threads")
    }
}

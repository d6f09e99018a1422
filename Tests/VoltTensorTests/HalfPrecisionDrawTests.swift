import XCTest
import VoltTensor

/// Normal draws made straight into half-precision storage hold what the float32 draw, rounded, holds.
final class HalfPrecisionDrawTests: XCTestCase {
    func bits(_ t: Tensor) -> [UInt32] { t.float32().scalars.map(\.bitPattern) }

    func testRandnInHalfPrecisionIsTheRoundedFloat32DrawAcrossChunks() {
        for dtype in [DType.bfloat16, .float16] {
            var direct = RandomGenerator(seed: 9), reference = RandomGenerator(seed: 9)
            _ = Tensor.randn([3], generator: &direct)  // an odd starting offset
            _ = Tensor.randn([3], generator: &reference)
            let count = 2 << 20 + 5  // two whole chunks and a partial one
            let drawn = Tensor.randn([count], mean: 0.5, std: 0.02, generator: &direct, dtype: dtype)
            let rounded = Tensor.randn([count], mean: 0.5, std: 0.02, generator: &reference).to(dtype)
            XCTAssertEqual(drawn.dtype, dtype)
            XCTAssertEqual(bits(drawn), bits(rounded), "\(dtype)")
            XCTAssertEqual(Tensor.randn([4], generator: &direct).scalars, Tensor.randn([4], generator: &reference).scalars,
                           "the draw used the same stretch of the generator")
        }
    }

    func testEmptyHalfPrecisionDrawUsesNoRandomNumbers() {
        var direct = RandomGenerator(seed: 1), reference = RandomGenerator(seed: 1)
        XCTAssertEqual(Tensor.randn([0, 4], generator: &direct, dtype: .bfloat16).count, 0)
        XCTAssertEqual(Tensor.randn([2], generator: &direct).scalars, Tensor.randn([2], generator: &reference).scalars)
    }
}

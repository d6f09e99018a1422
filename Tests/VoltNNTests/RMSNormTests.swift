import VoltNN
import VoltTensor
import XCTest

final class RMSNormTests: XCTestCase {
    func testRMSNormHasOneScaleNamedWeightAndNormalizesRows() {
        let norm = RMSNorm(4, eps: 0)
        XCTAssertEqual(norm.namedParameters().map(\.0), ["weight"])
        let y = norm(Tensor(shape: [1, 4], scalars: [1, -1, 1, -1]) * 3).scalars
        XCTAssertEqual(y, [1, -1, 1, -1])
    }
}

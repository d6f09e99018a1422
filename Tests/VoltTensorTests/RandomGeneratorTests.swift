import XCTest
import VoltTensor

final class RandomGeneratorTests: XCTestCase {
    /// Bounds up to 2²⁴ keep their one-draw values (every seeded shuffle of up to 16.7 million records is what it
    /// was); a larger bound reaches every residue, where one 24-bit draw scaled to 2²⁶ gave multiples of 4 only.
    func testNextIntReachesEveryValueOfBoundsOver2To24() {
        var generator = RandomGenerator(seed: 7)
        var reference = RandomGenerator(seed: 7)
        for bound in [1, 2, 10, 372, 1 << 20, 1 << 24] {
            let u = reference.nextUniform()
            XCTAssertEqual(generator.nextInt(below: bound), min(Int(u * Float(bound)), bound - 1), "bound \(bound)")
        }
        let large = 1 << 26
        let draws = (0..<4000).map { _ in generator.nextInt(below: large) }
        XCTAssertEqual(Set(draws.map { $0 % 16 }).count, 16, "low bits are random")
        XCTAssertTrue(draws.allSatisfy { $0 >= 0 && $0 < large })
        XCTAssertGreaterThan(draws.max() ?? 0, large - large / 100)
        XCTAssertLessThan(draws.min() ?? large, large / 100)
        XCTAssertEqual(generator.offset, reference.offset + 8000, "two counters per large draw")
        let huge = 110_000_000
        XCTAssertTrue((0..<1000).allSatisfy { _ in (0..<huge).contains(generator.nextInt(below: huge)) })
    }
}

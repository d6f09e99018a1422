import XCTest
import VoltTensor
import GenSLM

final class CodonTokenizerBytesTests: XCTestCase {
    /// The table-driven byte encoder gives the ids of the reference `encode(String)` on random sequences of
    /// every sequence letter, gaps, stops and mixed case, at every length modulo 3, and respects its limit.
    func testByteEncoderEqualsStringEncoder() {
        let tokenizer = CodonTokenizer()
        let alphabet = Array("ACGTACGTACGTacgtNnRYKM-*.".utf8)
        var generator = RandomGenerator(seed: 5)
        for trial in 0..<300 {
            let length = trial % 40
            let bytes = (0..<length).map { _ in alphabet[generator.nextInt(below: alphabet.count)] }
            let expected = tokenizer.encode(String(decoding: bytes, as: UTF8.self)).map { UInt8($0) }
            var output: [UInt8] = [9]
            let n = bytes.withUnsafeBufferPointer { tokenizer.encode(ascii: $0, into: &output) }
            XCTAssertEqual(Array(output.dropFirst()), expected, String(decoding: bytes, as: UTF8.self))
            XCTAssertEqual(n, expected.count)
            var limited: [UInt8] = []
            bytes.withUnsafeBufferPointer { _ = tokenizer.encode(ascii: $0, into: &limited, limit: 3) }
            XCTAssertEqual(limited, Array(expected.prefix(3)))
        }
    }
}

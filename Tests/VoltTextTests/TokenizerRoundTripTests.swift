import Foundation
import XCTest
import VoltText

/// Byte-level tokenizers lose nothing: any text, including unassigned and supplementary-plane scalars, decodes back
/// to itself; so does LLaMA 2's layout (byte fallback, and a decoder that strips the space its normalizer adds).
final class TokenizerRoundTripTests: XCTestCase {
    func randomText(_ generator: inout CorpusGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<(1 + generator.below(40)) {
            let value: UInt32 = switch generator.below(4) {
            case 0: UInt32(generator.below(0x80))
            case 1: UInt32(generator.below(0x800))
            case 2: UInt32(generator.below(0x10000))
            default: UInt32(generator.below(0x110000))
            }
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    func testAnyTextRoundTrips() throws {
        let folder = TokenizerFixtureTests.fixtures
        let byteLevel = try ["bytelevel_llama3", "bytelevel_gpt2"].map { try HFTokenizer(contentsOf: folder.appendingPathComponent($0 + ".json")) }
        let sentencePiece = try HFTokenizer(contentsOf: folder.appendingPathComponent("sp_llama2.json"))
        var generator = CorpusGenerator(seed: 99)
        for _ in 0..<3000 {
            let text = randomText(&generator)
            XCTAssertEqual(byteLevel[0].decode(byteLevel[0].encode(text, addSpecialTokens: false)).unicodeScalars.elementsEqual(text.unicodeScalars), true, text.debugDescription)
            // GPT-2's add_prefix_space puts a space before text that does not start with one.
            let gpt2 = byteLevel[1].decode(byteLevel[1].encode(text))
            XCTAssertTrue(gpt2.unicodeScalars.elementsEqual(text.first == " " || text.isEmpty ? text.unicodeScalars : (" " + text).unicodeScalars), text.debugDescription)
            let decoded = sentencePiece.decode(sentencePiece.encode(text, addSpecialTokens: false))
            XCTAssertTrue(decoded.unicodeScalars.elementsEqual(text.unicodeScalars) || text.contains("▁")
                          || text.contains("<s>") || text.contains("</s>") || text.contains("<unk>") || text.contains("<|eot_id|>"),
                          "\(text.debugDescription) → \(decoded.debugDescription)")
        }
    }
}

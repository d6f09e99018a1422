import Foundation
import XCTest
import GenSLM

final class CodonTokenizerTests: XCTestCase {
    func testVocabularyEqualsGenSLMsFile() throws {
        // GenSLM's published tokenizer file, copied unchanged into the fixtures.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/codon_wordlevel_69vocab.json")
        let data = try Data(contentsOf: url)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let vocab = (json?["model"] as? [String: Any])?["vocab"] as? [String: Int]
        XCTAssertEqual(vocab?.count, 69)
        for (token, id) in vocab ?? [:] { XCTAssertEqual(CodonTokenizer.vocabulary[id], token) }
    }

    func testSpecialTokensAndKnownCodons() {
        let t = CodonTokenizer()
        XCTAssertEqual(t.vocabularySize, 69)
        XCTAssertEqual(["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"].map { t.id(for: $0) }, [0, 1, 2, 3, 4])
        XCTAssertEqual(t.encode("GGCGCCTAG"), [5, 6, 68])
        XCTAssertEqual(t.encode("ggcgcc"), [5, 6], "lowercase is uppercased")
    }

    func testUnknownsForPartialAndAmbiguousCodons() {
        let t = CodonTokenizer()
        XCTAssertEqual(t.encode("GGCGC"), [5, 0], "trailing partial codon")
        XCTAssertEqual(t.encode("GGCNNN"), [5, 0], "codon with N")
        XCTAssertEqual(t.encode("GGCAC-"), [5, 0, 0], "the Whitespace pre-tokenizer splits AC and -")
        XCTAssertEqual(t.encode(""), [])
    }

    func testDecodeRoundTripsCodonSequences() {
        let t = CodonTokenizer()
        let dna = "ATGGCCGGCTAA"
        XCTAssertEqual(t.decode(t.encode(dna)), dna)
        XCTAssertEqual(t.decode([1, 5, 3, 0]), "GGC", "special tokens and [UNK] have no sequence")
    }
}

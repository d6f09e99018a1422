import Foundation
import XCTest
import VoltText

/// Components that are not implemented are typed errors naming the file and the key, never crashes.
final class TokenizerErrorTests: XCTestCase {
    func load(_ json: String) throws -> HFTokenizer { try HFTokenizer(data: Data(json.utf8), file: "bad.json") }

    static let model = #"{"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}"#

    func testUnsupportedComponentsNameTheKey() {
        let cases: [(String, TokenizerError)] = [
            (#"{"model": {"type": "WordPiece", "vocab": {}}}"#, .unsupported(file: "bad.json", key: "model.type", value: "model \"WordPiece\" (BPE is)")),
            (#"{"normalizer": {"type": "BertNormalizer"}, "model": \#(Self.model)}"#,
             .unsupported(file: "bad.json", key: "normalizer.type", value: "normalizer \"BertNormalizer\"")),
            (#"{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\d+"}, "behavior": "Isolated", "invert": false}]}, "model": \#(Self.model)}"#,
             .unsupported(file: "bad.json", key: "pre_tokenizer.pretokenizers[0].pattern.Regex", value: "the regular expression \"\\\\d+\" (GPT-2\'s and LLaMA 3\'s are)")),
            (#"{"decoder": {"type": "WordPiece"}, "model": \#(Self.model)}"#, .unsupported(file: "bad.json", key: "decoder.type", value: "decoder \"WordPiece\"")),
            (#"{"post_processor": {"type": "BertProcessing"}, "model": \#(Self.model)}"#,
             .unsupported(file: "bad.json", key: "post_processor.type", value: "post-processor \"BertProcessing\"")),
            (#"{"added_tokens": [{"id": 3, "content": "x", "lstrip": true}], "model": \#(Self.model)}"#,
             .unsupported(file: "bad.json", key: "added_tokens[0].lstrip", value: "true")),
        ]
        for (json, expected) in cases {
            XCTAssertThrowsError(try load(json), json) { XCTAssertEqual($0 as? TokenizerError, expected) }
        }
    }

    func testMalformedFilesAreReported() {
        XCTAssertThrowsError(try load(#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}}"#)) {
            XCTAssertEqual($0 as? TokenizerError, .invalid(file: "bad.json", key: "model.merges", reason: "merge 0 (\"a\" \"b\") joins tokens not in model.vocab"))
        }
        XCTAssertThrowsError(try load("{\"model\": ")) {
            guard case .unreadable(file: "bad.json", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try HFTokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json")))
    }

    func testMinimalModelEncodesAndDecodes() throws {
        let tokenizer = try load(#"{"model": \#(Self.model)}"#)
        XCTAssertEqual(tokenizer.encode("abab"), [2, 2])
        XCTAssertEqual(tokenizer.decode([2, 0]), "ab a")
        XCTAssertEqual(tokenizer.vocabularySize, 3)
    }
}

extension TokenizerErrorTests {
    func testOutOfRangeIdsAreErrorsNotTraps() {
        XCTAssertThrowsError(try load(#"{"model": {"type": "BPE", "vocab": {"a": 99999999999}, "merges": []}}"#)) {
            XCTAssertEqual($0 as? TokenizerError, .invalid(file: "bad.json", key: "model.vocab.a", reason: "expected a token id (an integer from 0 to 2147483647)"))
        }
        XCTAssertThrowsError(try load(#"{"added_tokens": [{"id": -1, "content": "x"}], "model": \#(Self.model)}"#)) {
            XCTAssertEqual($0 as? TokenizerError, .invalid(file: "bad.json", key: "added_tokens[0].id", reason: "expected a token id (an integer from 0 to 2147483647)"))
        }
    }
}

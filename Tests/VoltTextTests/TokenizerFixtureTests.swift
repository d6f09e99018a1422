import Foundation
import XCTest
import VoltText

/// The ids and decoded text of `tokenizers` (scripts/make_text_tokenizer_fixtures.py) on several MB of mixed text.
final class TokenizerFixtureTests: XCTestCase {
    struct Expected: Decodable {
        struct Chunk: Decodable {
            let tokens: Int
            let ids: String
            let decoded: String
            let decoded_skipping_special: String
        }
        struct Document: Decodable {
            let text: String
            let ids: [Int32]
            let decoded: String
            let without_special: [Int32]
        }
        let tokenizer: String
        let seed: UInt64
        let documents: Int
        let megabytes: Double
        let chunks: [Chunk]
        let first: [Document]
        let peer_megabytes_per_second: Double
        let peer_tokens_per_second: Double
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tokenizers")

    static func fnv1a<S: Sequence>(_ bytes: S, _ start: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 where S.Element == UInt8 {
        var h = start
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    static func idBytes(_ ids: [Int32]) -> [UInt8] {
        ids.flatMap { id in withUnsafeBytes(of: UInt32(bitPattern: id).littleEndian) { Array($0) } }
    }

    func load(_ name: String) throws -> (HFTokenizer, Expected) {
        let tokenizer = try HFTokenizer(contentsOf: Self.fixtures.appendingPathComponent(name + ".json"))
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent(name + ".expected.json"))
        return (tokenizer, try JSONDecoder().decode(Expected.self, from: data))
    }

    func check(_ name: String) throws {
        let (tokenizer, expected) = try load(name)
        for (n, document) in expected.first.enumerated() {
            let mine = tokenizer.encode(document.text)
            if let at = (0..<min(mine.count, document.ids.count)).first(where: { mine[$0] != document.ids[$0] }) {
                let window = max(0, at - 3)..<min(mine.count, document.ids.count, at + 4)
                print("\(name) document \(n) differs at \(at): ours \(window.map { tokenizer.token(of: mine[$0]) ?? "?" }) theirs \(window.map { tokenizer.token(of: document.ids[$0]) ?? "?" })")
            }
            XCTAssertEqual(tokenizer.encode(document.text), document.ids, "\(name) document \(n): \(document.text.debugDescription)")
            XCTAssertEqual(tokenizer.encode(document.text, addSpecialTokens: false), document.without_special, "\(name) document \(n)")
            XCTAssertEqual(tokenizer.decode(document.ids), document.decoded, "\(name) document \(n)")
        }
        let corpus = CorpusGenerator.corpus(seed: expected.seed, count: expected.documents)
        XCTAssertEqual(Array(corpus.prefix(expected.first.count)), expected.first.map(\.text), "the generator differs from the script's")
        let bytes = corpus.reduce(0) { $0 + $1.utf8.count }
        XCTAssertEqual(Double(bytes) / 1e6, expected.megabytes, accuracy: 1e-9)
        let start = Date()
        let encoded = tokenizer.encode(batch: corpus)
        let seconds = Date().timeIntervalSince(start)
        let tokens = encoded.reduce(0) { $0 + $1.count }
        print(String(format: "%@: %.2f MB, Swift %.2f MB/s %.0f tokens/s; tokenizers (when the fixture was made) %.2f MB/s %.0f tokens/s",
                     name, Double(bytes) / 1e6, Double(bytes) / 1e6 / seconds, Double(tokens) / seconds,
                     expected.peer_megabytes_per_second, expected.peer_tokens_per_second))
        var failures = 0
        for (c, chunk) in expected.chunks.enumerated() {
            let range = (c * 100)..<min(corpus.count, (c + 1) * 100)
            var ids = 0xCBF2_9CE4_8422_2325 as UInt64, text = ids, skipping = ids, count = 0
            for d in range {
                ids = Self.fnv1a(Self.idBytes(encoded[d]), ids)
                text = Self.fnv1a(tokenizer.decode(encoded[d]).utf8, text)
                skipping = Self.fnv1a(tokenizer.decode(encoded[d], skipSpecialTokens: true).utf8, skipping)
                count += encoded[d].count
            }
            let same = count == chunk.tokens && String(format: "%016llx", ids) == chunk.ids
                && String(format: "%016llx", text) == chunk.decoded && String(format: "%016llx", skipping) == chunk.decoded_skipping_special
            if !same {
                failures += 1
                if failures <= 3 {
                    XCTFail("\(name) chunk \(c) (documents \(range)): tokens \(count) vs \(chunk.tokens), ids \(String(format: "%016llx", ids)) vs \(chunk.ids), decoded \(String(format: "%016llx", text)) vs \(chunk.decoded), skipping \(String(format: "%016llx", skipping)) vs \(chunk.decoded_skipping_special)")
                }
            }
        }
        XCTAssertEqual(failures, 0, "\(name): \(failures) of \(expected.chunks.count) chunks differ")
    }

    func testByteLevelLLaMA3MatchesTokenizers() throws { try check("bytelevel_llama3") }
    func testByteLevelGPT2MatchesTokenizers() throws { try check("bytelevel_gpt2") }
    func testSentencePieceLLaMA2MatchesTokenizers() throws { try check("sp_llama2") }
    func testSentencePieceMetaspaceMatchesTokenizers() throws { try check("sp_metaspace") }
    func testNFKCLowercaseAndNormalizedAddedTokenMatchTokenizers() throws { try check("sp_nfkc_lowercase") }
}

/// The encode throughput against `tokenizers`' single-thread number recorded with the fixture (same corpus).
final class TokenizerThroughputTests: XCTestCase {
    func testEncodeIsAtLeastAsFastAsTokenizers() throws {
        for name in ["bytelevel_llama3", "sp_llama2"] {
            let tokenizer = try HFTokenizer(contentsOf: TokenizerFixtureTests.fixtures.appendingPathComponent(name + ".json"))
            let data = try Data(contentsOf: TokenizerFixtureTests.fixtures.appendingPathComponent(name + ".expected.json"))
            let expected = try JSONDecoder().decode(TokenizerFixtureTests.Expected.self, from: data)
            let corpus = CorpusGenerator.corpus(seed: expected.seed, count: expected.documents)
            let result = TokenizerThroughput.measure(tokenizer, texts: corpus, repetitions: 2)
            print(String(format: "%@: Swift %.2f MB/s (%.0f tokens/s), tokenizers %.2f MB/s", name, result.bytesPerSecond / 1e6,
                         result.tokensPerSecond, expected.peer_megabytes_per_second))
            XCTAssertGreaterThan(result.bytesPerSecond / 1e6, expected.peer_megabytes_per_second, name)
        }
    }
}

import Foundation
import XCTest
import VoltText

/// ROUGE and the Porter stemmer against Google's `rouge-score` and NLTK (scripts/make_rouge_fixture.py).
final class RougeTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let target: String
            let prediction: String
            let scores: [String: [Double]]
            let stemmed_scores: [String: [Double]]
        }
        let types: [String]
        let cases: [Case]
        let stems: [String: String]
    }

    func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rouge.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func testPorterStemmerMatchesNLTK() throws {
        let stemmer = PorterStemmer()
        var wrong: [String] = []
        for (word, stem) in try fixture().stems where stemmer.stem(word) != stem { wrong.append("\(word): \(stemmer.stem(word)) vs \(stem)") }
        XCTAssertEqual(wrong.count, 0, wrong.prefix(20).joined(separator: "; "))
    }

    func testScoresMatchRougeScoreWithAndWithoutStemming() throws {
        let fixture = try fixture()
        let types = fixture.types.compactMap(RougeType.init)
        XCTAssertEqual(types.map(\.description), fixture.types)
        for useStemmer in [false, true] {
            let scorer = RougeScorer(types: types, useStemmer: useStemmer)
            for (n, example) in fixture.cases.enumerated() {
                let scores = scorer.score(target: example.target, prediction: example.prediction)
                for type in types {
                    let expected = (useStemmer ? example.stemmed_scores : example.scores)[type.description]!
                    let got = scores[type]!
                    for (value, reference) in zip([got.precision, got.recall, got.fmeasure], expected) {
                        XCTAssertEqual(value, reference, accuracy: 1e-6, "case \(n) \(type) stemmer \(useStemmer): \(example.target.debugDescription) / \(example.prediction.debugDescription)")
                    }
                }
            }
        }
    }

    func testRougeTypeNames() {
        XCTAssertEqual(RougeType("rouge2"), .ngram(2))
        XCTAssertEqual(RougeType("rougeLsum"), .summaryLongestCommonSubsequence)
        XCTAssertNil(RougeType("rouge0"))
        XCTAssertNil(RougeType("bleu"))
    }
}

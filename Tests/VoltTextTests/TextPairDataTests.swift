import Foundation
import XCTest
import VoltData
import VoltText

final class TextPairDataTests: XCTestCase {
    static let tokenizerURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers/sp_llama2.json")

    func tokenizer() throws -> HFTokenizer { try HFTokenizer(contentsOf: Self.tokenizerURL) }

    func testLabelsCoverOnlyTheTargetAndTruncationCutsThePrompt() throws {
        let tokenizer = try tokenizer()
        let eos = tokenizer.id(of: "</s>")!
        let template = try PromptTemplate("Summarize:\n{document}\n\nSummary:\n")
        let record = TextRecord(fields: ["document": "the quick brown fox jumps over the lazy dog", "summary": "a fox jumps"])
        let prompt = tokenizer.encode(try template.render(record))
        let target = tokenizer.encode("a fox jumps", addSpecialTokens: false) + [eos]
        let full = try TextPairEncoder(tokenizer: tokenizer, template: template, targetField: "summary", maxLength: 512, eosID: eos).encode(record)
        XCTAssertEqual(full.inputIDs, prompt + target)
        XCTAssertEqual(full.labels, [Int32](repeating: -100, count: prompt.count) + target)
        XCTAssertEqual(prompt.first, tokenizer.id(of: "<s>"))

        let window = target.count + 5
        let left = try TextPairEncoder(tokenizer: tokenizer, template: template, targetField: "summary", maxLength: window,
                                       truncation: .left, eosID: eos).encode(record)
        XCTAssertEqual(left.inputIDs, Array(prompt.suffix(5)) + target)
        let right = try TextPairEncoder(tokenizer: tokenizer, template: template, targetField: "summary", maxLength: window,
                                        truncation: .right, eosID: eos).encode(record)
        XCTAssertEqual(right.inputIDs, Array(prompt.prefix(5)) + target)
        XCTAssertEqual(right.labels.filter { $0 != -100 }, target)
        let short = try TextPairEncoder(tokenizer: tokenizer, template: template, targetField: "summary", maxLength: 3, eosID: eos).encode(record)
        XCTAssertEqual(short.inputIDs, Array(target.prefix(3)))
    }

    func testCollatorPadsDynamicallyAndMasksPadding() {
        let a = TextPairExample(inputIDs: [5, 6, 7], labels: [-100, 6, 7])
        let b = TextPairExample(inputIDs: [8], labels: [8])
        let batch = TextCollator(padID: 2).collate([a, b])
        XCTAssertEqual(batch.inputIDs.shape, [2, 3])
        XCTAssertEqual(batch.labels.shape, [2, 3])
        XCTAssertEqual(batch.tokenCount, 4)
        XCTAssertEqual(TextCollator(padID: 2, padToMultipleOf: 8).collate([a, b]).length, 8)
    }

    func testDataModuleSplitsBucketsAndShardsBetweenRanks() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("volttext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines: [String] = []
        for i in 0..<100 {
            let document = String(repeating: "word\(i % 7) ", count: 1 + i % 13)
            let object = ["document": document, "summary": "summary \(i)"]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        let file = folder.appendingPathComponent("pairs.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let yaml = """
        {"path": "\(file.path)", "tokenizer": "\(Self.tokenizerURL.path)", "prompt_template": "Summarize:\\n{document}\\n\\nSummary:\\n",
         "eos_token": "</s>", "split": [0.8, 0.1, 0.1], "batch_size": 4, "sampler": "bucketed", "bucket_window": 5, "max_length": 40}
        """
        let configuration = try JSONDecoder().decode(TextDataConfiguration.self, from: Data(yaml.utf8))
        XCTAssertEqual(configuration.path, [file.path])
        XCTAssertEqual(configuration.truncation, .left)
        let data = try TextPairDataModule(configuration)
        XCTAssertEqual(data.splits.map(\.count), [80, 10, 10])
        let loader = data.trainLoader()
        XCTAssertEqual(loader.batchCount, 20)
        let iterator = loader.batches(epoch: 0)
        var seen = 0
        while let batch = try iterator.next() {
            XCTAssertLessThanOrEqual(batch.length, 40)
            seen += batch.batchSize
        }
        XCTAssertEqual(seen, 80)
        let shards = (0..<2).map { Set(data.trainLoader().distributed(rank: $0, worldSize: 2).batchIndices(epoch: 1).joined()) }
        XCTAssertTrue(shards[0].isDisjoint(with: shards[1]))
        XCTAssertEqual(shards[0].count + shards[1].count, 80)
        XCTAssertNotNil(data.testLoader())

        var bad = configuration
        bad.eosToken = "<eos>"
        XCTAssertThrowsError(try TextPairDataModule(bad)) {
            XCTAssertEqual($0 as? TextDataError, .invalidConfiguration(key: "data.eos_token", reason: "the tokenizer has no token \"<eos>\""))
        }
    }
}

import Foundation
import XCTest
import GenSLM
import VoltInterop
import VoltTensor

final class SafetensorsAndGenerationTests: XCTestCase {
    func testSafetensorsRoundTripsEveryWeight() throws {
        let model = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 3)
        let dir = NSTemporaryDirectory() + "volt-st-\(UUID().uuidString)"
        try model.exportSafetensors(to: dir)
        let header = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors")).prefix(8)
        XCTAssertEqual(header.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } % 8, 0, "header padded to 8 bytes")
        let config = try TransformersConfiguration(contentsOf: dir + "/config.json")
        XCTAssertEqual(config.modelType, "gpt_neox")
        XCTAssertEqual(try GPTNeoXConfiguration(transformers: config), model.configuration, "config.json round-trips")
        let other = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 4)
        try other.importSafetensors(from: dir)
        XCTAssertEqual(other.namedTensors().map { $0.1.scalars }, model.namedTensors().map { $0.1.scalars })
    }

    func testGenerationIsSeededAndAvoidsSpecialTokens() throws {
        let model = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 5)
        let specials = Set(CodonTokenizer.specialIDs)
        let sampling = SamplingConfiguration(temperature: 1, topK: 10, seed: 9, excluded: specials)
        let a = try model.generate(prompt: [5], maxNewTokens: 20, sampling: sampling)
        let b = try model.generate(prompt: [5], maxNewTokens: 20, sampling: sampling)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.count, 21)
        XCTAssertTrue(a.dropFirst().allSatisfy { !specials.contains($0) })
        let greedy = try model.generate(prompt: [5], maxNewTokens: 3, sampling: SamplingConfiguration(temperature: 0))
        let logits = try model.logits(Tensor(shape: [1, 1], indices: [5])).scalars
        XCTAssertEqual(Int(greedy[1]), logits.indices.max { logits[$0] < logits[$1] })
    }

    func testCachedNextTokenLogitsEqualTheFullForwardAtEveryPosition() throws {
        for parallel in [true, false] {
            var configuration = GenSLMPreset.tiny.configuration
            configuration.useParallelResidual = parallel
            let model = try GPTNeoX(configuration, seed: 6)
            model.eval()
            var generator = RandomGenerator(seed: 2)
            let tokens = (0..<70).map { _ in Int32(5 + generator.nextInt(below: 64)) }  // past one 64-query block
            let full = try withNoGrad { try model.logits(Tensor(shape: [1, tokens.count], indices: tokens)) }.scalars
            let vocab = configuration.vocabSize
            var cache = KeyValueCache(for: model, capacity: tokens.count)
            for (position, token) in tokens.enumerated() {
                let cached = try model.nextTokenLogits(token, cache: &cache)
                let expected = Array(full[(position * vocab)..<((position + 1) * vocab)])
                let worst = zip(cached, expected).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, "parallel residual \(parallel), position \(position)")
            }
            XCTAssertEqual(cache.count, tokens.count)
            XCTAssertThrowsError(try model.nextTokenLogits(5, cache: &cache), "a full cache refuses another token")
            // A 66-token prompt in one pass, then the rest one by one: the same rows.
            var filled = KeyValueCache(for: model, capacity: tokens.count)
            let prefill = try model.logits(Tensor(shape: [1, 66], indices: Array(tokens[..<66])), cache: &filled).scalars
            var rows = prefill
            for token in tokens[66...] { rows += try model.nextTokenLogits(token, cache: &filled) }
            XCTAssertEqual(rows.count, full.count)
            XCTAssertLessThan(zip(rows, full).map { abs($0 - $1) }.max() ?? 1, 1e-4, "parallel residual \(parallel), prefill")
            XCTAssertThrowsError(try model.logits(Tensor(shape: [2, 1], indices: [5, 6]), cache: &filled), "one sequence only")
        }
    }
}

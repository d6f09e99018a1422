import Foundation
import LLaMA
import VoltNN
import VoltTensor
import XCTest

/// Generation with the key/value cache: against transformers' `generate(do_sample=False)` (Fixtures/generation.json,
/// written by scripts/make_llama_generation_fixture.py) and against the uncached forward pass.
final class LlamaGenerationTests: XCTestCase {
    struct Case: Decodable {
        let max_new_tokens: Int
        let eos_token_ids: [Int32]
        let prompts: [[Int32]]
        let plain: [[Int32]]
        let eos: [[Int32]]
    }

    static func fixtureModel(_ name: String) throws -> LlamaForCausalLM {
        let fixture = try TransformersFixture(name)
        let model = try LlamaForCausalLM(fixture.configuration)
        try model.load(stateDict: fixture.stateDict)
        return model
    }

    func testGreedyGenerationEqualsTransformersGenerate() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/generation.json")
        let cases = try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: url))
        XCTAssertEqual(Set(cases.keys), ["llama", "llama3_tied", "mixtral"])
        for (name, expected) in cases.sorted(by: { $0.key < $1.key }) {
            let model = try Self.fixtureModel(name)
            let plain = try model.generate(prompts: expected.prompts, options: .greedy(maxNewTokens: expected.max_new_tokens))
            XCTAssertEqual(plain, expected.plain, "\(name) without end-of-sequence ids")
            let stopped = try model.generate(prompts: expected.prompts,
                                             options: .greedy(maxNewTokens: expected.max_new_tokens,
                                                              eosTokenIds: expected.eos_token_ids))
            XCTAssertEqual(stopped, expected.eos, "\(name) stopping at \(expected.eos_token_ids)")
            XCTAssertTrue(stopped.contains { $0.count < expected.max_new_tokens }, "\(name): some sequence stops early")
        }
    }

    func testGreedyGenerationEqualsArgmaxOfTheUncachedForwardStepByStep() throws {
        for name in ["llama", "mixtral"] {
            let model = try Self.fixtureModel(name)
            let prompts: [[Int32]] = [[3, 1, 4, 1, 5, 9, 2, 6], [27], [50, 60]]
            let generated = try model.generate(prompts: prompts, options: .greedy(maxNewTokens: 12))
            for (prompt, new) in zip(prompts, generated) {
                var sequence = prompt
                for _ in 0..<12 {
                    let logits = try withNoGrad { try model.logits(Tensor(shape: [1, sequence.count], indices: sequence)) }
                    let last = Array(logits.scalars.suffix(model.configuration.vocabSize))
                    sequence.append(Int32(last.indices.max { last[$0] < last[$1] || (last[$0] == last[$1] && $0 > $1) }!))
                }
                XCTAssertEqual(new, Array(sequence.dropFirst(prompt.count)), "\(name), prompt \(prompt)")
            }
        }
    }

    func testSamplingIsReproducibleForASeedAndTopKOneIsGreedy() throws {
        let model = try Self.fixtureModel("llama")
        let prompts: [[Int32]] = [[1, 2, 3], [9]]
        var options = LlamaGenerationOptions(maxNewTokens: 16, doSample: true, temperature: 1.5, topK: 0, topP: 0.95, seed: 7)
        let first = try model.generate(prompts: prompts, options: options)
        XCTAssertEqual(try model.generate(prompts: prompts, options: options), first)
        XCTAssertEqual(first.map(\.count), [16, 16])
        options.seed = 8
        XCTAssertNotEqual(try model.generate(prompts: prompts, options: options), first)
        options.topK = 1
        XCTAssertEqual(try model.generate(prompts: prompts, options: options),
                       try model.generate(prompts: prompts, options: .greedy(maxNewTokens: 16)))
    }

    func testGenerationStopsWhenThePositionsRunOut() throws {
        let model = try Self.fixtureModel("llama")  // 64 positions
        let prompt = [Int32](repeating: 5, count: 60)
        XCTAssertEqual(try model.generate(prompts: [prompt], options: .greedy(maxNewTokens: 20))[0].count, 4)
        XCTAssertThrowsError(try model.generate(prompts: [[Int32](repeating: 5, count: 65)])) {
            XCTAssertEqual($0 as? LlamaError, .sequenceTooLong(length: 65, maximum: 64))
        }
        XCTAssertThrowsError(try model.generate(prompts: [[]]))
        XCTAssertThrowsError(try model.generate(prompts: [[97]]))
        XCTAssertTrue(model.training, "the model's mode is restored")
    }

    func testOptionsDecodeTransformersGenerationConfigKeys() throws {
        let json = #"{"max_new_tokens": 64, "do_sample": true, "top_p": 0.9, "eos_token_id": 2}"#
        let options = try JSONDecoder().decode(LlamaGenerationOptions.self, from: Data(json.utf8))
        XCTAssertEqual(options, LlamaGenerationOptions(maxNewTokens: 64, doSample: true, topP: 0.9, eosTokenIds: [2]))
        let list = try JSONDecoder().decode(LlamaGenerationOptions.self, from: Data(#"{"eos_token_id": [2, 7]}"#.utf8))
        XCTAssertEqual(list.eosTokenIds, [2, 7])
        XCTAssertThrowsError(try LlamaGenerationOptions(topP: 0).validate())
    }
}

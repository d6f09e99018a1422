import XCTest
import LLaMA
import TextLM
import VoltTensor

final class GenerationTests: XCTestCase {
    func module(_ edit: (inout CausalLMModule.GenerationOptions) -> Void = { _ in }) throws -> CausalLMModule {
        var h = CausalLMModule.Hyperparameters()
        h.generation.maxNewTokens = 6
        edit(&h.generation)
        return try CausalLMModule(hyperparameters: h)
    }

    /// Greedy generation with the key/value cache picks, each time, the argmax of the full forward pass over the
    /// prompt and what was generated so far.
    func testGreedyGenerationEqualsTheArgmaxOfTheFullForwardPass() throws {
        let m = try module()
        let prompt: [Int32] = [5, 17, 300, 42]
        let generated = try m.generate(prompt: prompt, eosID: nil, seed: 0)
        XCTAssertEqual(generated.count, 6)
        var sequence = prompt
        for token in generated {
            let logits = try m.model.logits(Tensor(shape: [1, sequence.count], indices: sequence))
            let last = logits.slice(axis: 1, (sequence.count - 1)..<sequence.count).contiguous().scalars
            let argmax = last.indices.max { last[$0] < last[$1] || (last[$0] == last[$1] && $0 > $1) }!
            XCTAssertEqual(Int(token), argmax)
            sequence.append(token)
        }
    }

    /// Sampling is reproducible from its seed; top_k 1 is greedy; an EOS ends the generation.
    func testSamplingIsSeededAndTopKOneIsGreedy() throws {
        let prompt: [Int32] = [1, 2, 3]
        let sampled = try module { $0.decoding = .sample; $0.temperature = 2 }
        let a = try sampled.generate(prompt: prompt, eosID: nil, seed: 7), b = try sampled.generate(prompt: prompt, eosID: nil, seed: 7)
        XCTAssertEqual(a, b)
        let others = try (8..<12).map { try sampled.generate(prompt: prompt, eosID: nil, seed: UInt64($0)) }
        XCTAssertTrue(others.contains { $0 != a }, "another seed draws other tokens")
        let greedy = try module().generate(prompt: prompt, eosID: nil, seed: 0)
        XCTAssertEqual(try module { $0.decoding = .sample; $0.topK = 1 }.generate(prompt: prompt, eosID: nil, seed: 3), greedy)
        XCTAssertEqual(try module().generate(prompt: prompt, eosID: greedy[2], seed: 0), Array(greedy[..<greedy.firstIndex(of: greedy[2])!]))
        XCTAssertThrowsError(try module().generate(prompt: [], eosID: nil, seed: 0))
    }
}

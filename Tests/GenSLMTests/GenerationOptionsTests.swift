import XCTest
import GenSLM
import VoltTensor

/// GenSLM-style generation: top-p, stop codons, minimum and maximum lengths, seeds.
final class GenerationOptionsTests: XCTestCase {
    let specials = Set(CodonTokenizer.specialIDs)

    func model() throws -> GPTNeoX { try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 5) }

    func testTinyTopPEqualsGreedy() throws {
        let model = try model(), prompt: [Int32] = [10, 20]
        let greedy = try model.generate(prompt: prompt, configuration: GenerationConfiguration(
            sampling: SamplingConfiguration(temperature: 0, excluded: specials), maxLength: 24))
        for seed: UInt64 in [1, 2, 3] {
            let nucleus = try model.generate(prompt: prompt, configuration: GenerationConfiguration(
                sampling: SamplingConfiguration(temperature: 1, topP: 1e-6, seed: seed, excluded: specials), maxLength: 24))
            XCTAssertEqual(nucleus, greedy, "seed \(seed)")
        }
        XCTAssertEqual(greedy.count, 24, "max_length counts the prompt")
    }

    func testTopPKeepsTheSmallestSetReachingTheMass() {
        // Probabilities 0.5, 0.3, 0.2: top-p 0.6 keeps the first two, top-p 1 all three.
        let logits = [0.5, 0.3, 0.2].map { Float(log($0)) }
        func counts(_ topP: Double) -> [Int] {
            var generator = RandomGenerator(seed: 7), seen = [0, 0, 0]
            for _ in 0..<3000 { seen[Int(GPTNeoX.sample(logits, sampling: SamplingConfiguration(topP: topP), generator: &generator))] += 1 }
            return seen
        }
        let nucleus = counts(0.6), full = counts(1)
        XCTAssertEqual(nucleus[2], 0, "the token outside the nucleus is never drawn")
        XCTAssertEqual(Double(nucleus[0]) / 3000, 0.5 / 0.8, accuracy: 0.04, "the nucleus is renormalized")
        XCTAssertEqual(Double(full[2]) / 3000, 0.2, accuracy: 0.03)
    }

    func testStopTokenEndsTheSequenceAndIsKept() throws {
        let model = try model(), prompt: [Int32] = [10]
        let greedy = SamplingConfiguration(temperature: 0, excluded: specials)
        let free = try model.generate(prompt: prompt, configuration: GenerationConfiguration(sampling: greedy, maxLength: 30))
        let stop = free[3]
        let first = try XCTUnwrap(free.indices.dropFirst().first { free[$0] == stop })
        let stopped = try model.generate(prompt: prompt, configuration: GenerationConfiguration(
            sampling: greedy, maxLength: 30, stopTokens: [stop]))
        XCTAssertEqual(stopped, Array(free[...first]), "greedy up to and including the first stop token")
    }

    func testMinLengthSuppressesStopTokensBeforeIt() throws {
        let model = try model(), prompt: [Int32] = [10]
        let greedy = SamplingConfiguration(temperature: 0, excluded: specials)
        let free = try model.generate(prompt: prompt, configuration: GenerationConfiguration(sampling: greedy, maxLength: 30))
        let stop = free[2]
        let minLength = 12
        let held = try model.generate(prompt: prompt, configuration: GenerationConfiguration(
            sampling: greedy, maxLength: 30, minLength: minLength, stopTokens: [stop]))
        XCTAssertGreaterThan(held.count, minLength, "no stop while shorter than min_length")
        XCTAssertFalse(held[1..<minLength].contains(stop))
        XCTAssertTrue(held.count == 30 || held.last == stop)
    }

    func testStopCodonsAreTAATAGTGA() {
        XCTAssertEqual(Set(GenerationConfiguration.stopCodons.map { CodonTokenizer().decode([$0]) }), ["TAA", "TAG", "TGA"])
    }

    func testSeededSamplingIsReproducible() throws {
        let model = try model()
        func run(_ seed: UInt64) throws -> [Int32] {
            try model.generate(prompt: [10, 11], configuration: GenerationConfiguration(
                sampling: SamplingConfiguration(temperature: 0.9, topK: 20, topP: 0.9, seed: seed, excluded: specials),
                maxLength: 40, minLength: 5, stopTokens: GenerationConfiguration.stopCodons))
        }
        XCTAssertEqual(try run(3), try run(3))
        XCTAssertNotEqual(try run(3), try run(4))
    }

    func testPromptsMustBeWholeCodons() {
        XCTAssertThrowsError(try GenerationPrompt.tokens(of: "ATGA", source: "p.fasta", record: "r1", maxPositions: 10)) { error in
            XCTAssertEqual(error as? GenerationPromptError, .notCodons(source: "p.fasta", record: "r1", length: 4))
            XCTAssertTrue("\(error)".contains("p.fasta: record \"r1\""))
        }
        XCTAssertThrowsError(try GenerationPrompt.tokens(of: "ATGATG", source: "--prompt", maxPositions: 2))
        XCTAssertEqual(try GenerationPrompt.tokens(of: "atgaaa", source: "--prompt", maxPositions: 10), CodonTokenizer().encode("ATGAAA"))
    }
}

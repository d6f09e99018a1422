import Foundation
import LLaMA
import VoltBenchmarks
import XCTest

/// `volt bench --model llama-*` counts its FLOPs by its formula; `volt bench --op tokenize` reports positive rates.
final class LlamaAndTokenizeBenchmarkTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// llama-tiny's weights counted by hand: vocabulary 512, hidden 64, intermediate 176, 2 layers, 4 heads and
    /// 2 key/value heads of 16, untied embeddings.
    static let tinyParameters: Int = {
        let (vocabulary, h, ff, layers, kv) = (512, 64, 176, 2, 2 * 16)
        let layer = h * h + 2 * h * kv + h * h  // q, k, v, o
            + 3 * h * ff                        // gate, up, down
            + 2 * h                             // two RMS norms
        return 2 * vocabulary * h + layers * layer + h
    }()

    func testLlamaBenchmarkCountsSixFLOPsPerMultiplyingWeightAndTokenPlusAttention() throws {
        let result = try LlamaBenchmark(shape: .llamaTiny, steps: 1, warmup: 0).run()
        XCTAssertEqual(result.model, "llama-tiny")
        XCTAssertEqual(result.params, Self.tinyParameters)
        XCTAssertEqual(result.tokens_per_step, 64 * 2)
        // The input embedding is a lookup: 6 FLOPs per token for every other weight, plus attention's 12·L·d·s²·b.
        let expected = 6 * Double(Self.tinyParameters - 512 * 64) * 128 + 12 * 2 * 64 * 64 * 64 * 2
        XCTAssertEqual(result.gflops * 1e9 * result.step_ms / 1e3, expected, accuracy: expected * 1e-9)
        XCTAssertEqual(LlamaBenchmark.trainingFLOPs(LlamaBenchmark.Shape.llamaTiny.configuration,
                                                    parameters: Self.tinyParameters, seq: 64, batch: 2), expected)
        XCTAssertGreaterThan(result.tokens_per_s, 0)
        XCTAssertGreaterThan(result.peak_rss_mb, 0)
        XCTAssertEqual(result.mfu, result.gflops / result.matmul_peak_gflops, accuracy: 1e-9)
        XCTAssertThrowsError(try LlamaBenchmark(shape: .llamaTiny, steps: 0))
    }

    func testLlamaSmallIsTheStatedShape() {
        let c = LlamaBenchmark.Shape.llamaSmall.configuration
        XCTAssertEqual([c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.numKeyValueHeads, c.intermediateSize,
                        c.vocabSize, c.headDim], [512, 8, 8, 4, 1408, 32_000, 64])
        XCTAssertEqual([LlamaBenchmark.Shape.llamaSmall.sequenceLength, LlamaBenchmark.Shape.llamaSmall.batchSize], [512, 4])
    }

    func testTokenizeCommandPrintsPositiveRatesAsJSON() throws {
        let volt = Self.repository.appendingPathComponent(".build/release/volt").path
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: volt), "build the volt command first (swift build -c release)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: volt)
        process.arguments = ["bench", "--op", "tokenize", "--documents", "300", "--repeats", "1", "--json"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let result = try JSONDecoder().decode(TokenizeBenchmark.Result.self, from: data)
        XCTAssertEqual(result.tokenizer, "bytelevel_llama3.tokenizer.json")
        XCTAssertEqual(result.documents, 300)
        XCTAssertGreaterThan(result.megabytes, 0)
        XCTAssertGreaterThan(result.tokens, 0)
        XCTAssertTrue(result.mb_per_s > 0 && result.mb_per_s.isFinite, "\(result.mb_per_s)")
        XCTAssertTrue(result.tokens_per_s > 0 && result.tokens_per_s.isFinite, "\(result.tokens_per_s)")
        XCTAssertEqual(result.tokens_per_s / result.mb_per_s, Double(result.tokens) / result.megabytes, accuracy: 1e-6 * Double(result.tokens) / result.megabytes)
    }
}

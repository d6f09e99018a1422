import Volt
import VoltBenchmarks
import XCTest

/// The numbers `volt bench` reports: positive rates, and the model's FLOP count from its own formula.
final class BenchmarkTests: XCTestCase {
    func testMatMulBenchmarkReportsPositiveRatesForEveryBackend() {
        let result = MatMulBenchmark(size: 64, repeats: 2).run()
        XCTAssertEqual([result.m, result.n, result.k], [64, 64, 64])
        XCTAssertGreaterThan(result.gflops, 0)
        XCTAssertTrue(result.gflops.isFinite)
        XCTAssertFalse(result.backends.isEmpty)
        XCTAssertTrue(result.backends.keys.contains(result.backend), "\(result.backend) in \(result.backends.keys)")
        for (name, rate) in result.backends { XCTAssertTrue(rate > 0 && rate.isFinite, "\(name): \(rate)") }
    }

    /// GPT-NeoX's parameters at the tiny shape (hidden 128, 2 layers, feed-forward 512, vocabulary 69, untied
    /// embeddings), counted by hand.
    static let tinyParameters: Int = {
        let h = 128, ff = 512, vocabulary = 69, layers = 2
        let layer = 2 * (2 * h)                 // two layer norms
            + (3 * h * h + 3 * h)               // query_key_value
            + (h * h + h)                       // dense
            + (h * ff + ff) + (ff * h + h)      // dense_h_to_4h, dense_4h_to_h
        return 2 * vocabulary * h + layers * layer + 2 * h  // embed_in, embed_out, final layer norm
    }()

    func testModelBenchmarkCountsSixFLOPsPerParameterAndTokenPlusAttention() throws {
        let result = try ModelBenchmark(shape: .tiny, steps: 1, warmup: 0).run()
        let (layers, hidden, seq, batch) = (2.0, 128.0, 256.0, 8.0)
        XCTAssertEqual(result.params, Self.tinyParameters)
        XCTAssertEqual(result.trainable_params, Self.tinyParameters)
        XCTAssertEqual(result.tokens_per_step, 256 * 8)
        let expected = 6 * Double(Self.tinyParameters) * seq * batch + 12 * layers * hidden * seq * seq * batch
        let measured = result.gflops * 1e9 * result.step_ms / 1e3  // FLOPs per step = rate × time
        XCTAssertEqual(measured, expected, accuracy: expected * 1e-9)
        XCTAssertGreaterThan(result.tokens_per_s, 0)
        XCTAssertEqual(result.mfu, result.gflops / result.matmul_peak_gflops, accuracy: 1e-9)
    }

    func testModelBenchmarkRejectsAnEmptyRun() {
        XCTAssertThrowsError(try ModelBenchmark(shape: .tiny, steps: 0))
        XCTAssertThrowsError(try ModelBenchmark(shape: .tiny, warmup: -1))
    }
}

import Foundation
import Volt
import VoltBenchmarks
import XCTest

/// `volt bench --strategy … --devices …`: the options are checked before anything launches, one process reports
/// itself as one rank, and two ranks started through the relaunch report one peak memory each.
final class DataParallelBenchmarkTests: XCTestCase {
    static let volt = LlamaAndTokenizeBenchmarkTests.repository.appendingPathComponent(".build/release/volt").path

    func testBadCombinationsAreTypedErrors() {
        XCTAssertThrowsError(try DataParallelism(devices: 0)) { XCTAssertEqual($0 as? BenchmarkError, .invalidDevices(0)) }
        XCTAssertThrowsError(try DataParallelism(strategy: .single, devices: 2)) {
            XCTAssertEqual($0 as? BenchmarkError, .singleOnSeveralDevices(2))
        }
        XCTAssertThrowsError(try DataParallelism(strategy: .zero3, devices: 2).check(model: "llama-tiny", layered: false, eightBitOptimizer: false)) {
            XCTAssertEqual($0 as? BenchmarkError, .noLayerHooks(model: "llama-tiny"))
        }
        for kind in [StrategyKind.zero1, .zero2, .zero3] {
            XCTAssertThrowsError(try ModelBenchmark(shape: .tiny, eightBitOptimizer: true, parallelism: DataParallelism(strategy: kind, devices: 2))) {
                XCTAssertEqual($0 as? BenchmarkError, .optimizerDoesNotShard(optimizer: "adamw8bit", strategy: kind.rawValue))
            }
        }
        XCTAssertNoThrow(try ModelBenchmark(shape: .tiny, eightBitOptimizer: true, parallelism: DataParallelism(strategy: .ddp, devices: 2)))
        XCTAssertNoThrow(try DataParallelism(strategy: .zero3, devices: 4).check(model: "tiny", layered: true, eightBitOptimizer: false))
    }

    func testOneProcessReportsItselfAsOneRank() throws {
        let result = try ModelBenchmark(shape: .tiny, steps: 1, warmup: 0).run()
        XCTAssertEqual(result.strategy, "auto")
        XCTAssertEqual(result.devices, 1)
        XCTAssertEqual(result.rank_peak_rss_mb, [result.peak_rss_mb])
        XCTAssertEqual(result.max_rank_peak_rss_mb, result.peak_rss_mb)
    }

    /// Runs the built `volt` with `arguments`: exit status, standard output, standard error.
    func volt(_ arguments: [String]) throws -> (Int32, Data, String) {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.volt), "build the volt command first (swift build -c release)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.volt)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, data, message)
    }

    func testTheCommandRefusesBadCombinationsBeforeLaunching() throws {
        let cases: [([String], String)] = [
            (["--strategy", "zero2", "--optimizer", "adamw8bit", "--devices", "2"], "does not shard"),
            (["--strategy", "single", "--devices", "2"], "runs one process"),
            (["--devices", "0"], "at least 1"),
            (["--op", "matmul", "--devices", "2"], "--op model only"),
            (["--strategy", "zero4"], "zero4"),
        ]
        for (arguments, expected) in cases {
            let (status, _, message) = try volt(["bench"] + arguments + ["--steps", "1", "--warmup", "0", "--json"])
            XCTAssertEqual(status, 64, "\(arguments): a usage error")
            XCTAssertTrue(message.contains(expected), "\(arguments): \(message)")
        }
    }

    /// Two ranks through the relaunch `volt fit` uses (about 2 s): rank 0 prints one JSON object with both ranks' memory.
    func testTwoZeroThreeRanksReportTwoPeakMemories() throws {
        guard !MPILauncher.isUnderMPI else { throw XCTSkip("starts its own mpirun") }
        let (status, data, message) = try volt(["bench", "--model", "tiny", "--strategy", "zero3", "--devices", "2",
                                                "--steps", "1", "--warmup", "0", "--json"])
        XCTAssertEqual(status, 0, message)
        let result = try JSONDecoder().decode(ModelBenchmark.Result.self, from: data)
        XCTAssertEqual(result.strategy, "zero3")
        XCTAssertEqual(result.devices, 2)
        XCTAssertEqual(result.rank_peak_rss_mb.count, 2)
        XCTAssertTrue(result.rank_peak_rss_mb.allSatisfy { $0 > 0 }, "\(result.rank_peak_rss_mb)")
        XCTAssertEqual(result.max_rank_peak_rss_mb, result.rank_peak_rss_mb.max())
        XCTAssertEqual(result.tokens_per_s, 2 * Double(result.tokens_per_step) / (result.step_ms / 1e3), accuracy: 1e-6 * result.tokens_per_s)
    }
}

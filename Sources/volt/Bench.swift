import ArgumentParser
import Foundation
import VoltTensor

/// `volt bench`: measured throughput of Volt's kernels on this machine.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure matmul GFLOP/s (each backend, bf16 where supported) or elementwise GB/s."
    )

    enum Operation: String, ExpressibleByArgument, CaseIterable {
        case matmul, ops
    }

    @Option(help: "What to measure: \(Operation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var op: Operation = .matmul

    @Option(help: "Matrix size for --op matmul (m = n = k).")
    var size = 1024

    @Option(help: "Timed repetitions; the best is reported.")
    var repeats = 10

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() throws {
        for warning in RuntimeReport.current.warnings { FileHandle.standardError.write(Data("volt: \(warning)\n".utf8)) }
        switch op {
        case .matmul:
            let result = MatMulBenchmark(size: size, repeats: repeats).run()
            if json { try printJSON(result) } else {
                print("matmul \(size)³ fp32 via Tensor.matmul (\(result.backend)): \(format(result.gflops)) GFLOP/s")
                for (name, value) in result.backends.sorted(by: { $0.key < $1.key }) {
                    print("  \(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(format(value)) GFLOP/s")
                }
                print("  threads \(result.runtime.threads), ISA \(result.runtime.cpuISA), OpenBLAS \(result.runtime.openBLASCore)")
            }
        case .ops:
            let result = ElementwiseBenchmark(repeats: repeats).run()
            if json { try printJSON(result) } else {
                for (name, value) in result.gbps.sorted(by: { $0.key < $1.key }) {
                    print("\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(format(value)) GB/s")
                }
            }
        }
    }
}

func format(_ value: Double) -> String { String(format: "%.1f", value) }

/// Prints `value` as one line of JSON with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

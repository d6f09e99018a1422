import Foundation
import Volt

/// What a training benchmark measures besides its own steps: the matmul peak its MFU is against, and the
/// process's peak resident memory.
enum MachinePeaks {
    /// The best float32 1024³ matmul GFLOP/s of any backend, and the peak for `precision` (bfloat16's best under
    /// bf16 where a backend has native bfloat16, otherwise the float32 one).
    ///
    /// The best of 50 runs per backend: a 1024³ product takes 2–8 ms, and the best of 5 read anywhere from 89 %
    /// to 100 % of it on a shared virtual machine, which moved MFU by as much (the best of 50 and of 200 agree to
    /// within 1 %).
    static func matmul(for precision: Precision) -> (fp32: Double, peak: Double) {
        let matmul = MatMulBenchmark(size: 1024, repeats: 50).run()
        let fp32 = matmul.backends.filter { !$0.key.hasSuffix("_bf16") }.values.max() ?? matmul.gflops
        guard precision == .bf16 else { return (fp32, fp32) }
        return (fp32, matmul.backends.filter { $0.key.hasSuffix("_bf16") }.values.max() ?? fp32)
    }

    /// Peak resident memory of this process so far, in MB.
    static func residentMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

import CVoltKernels
import Foundation

/// The matrix-multiplication backends of this process and the one Volt routes products through.
public enum MatMulBackends {
    /// OpenBLAS, always available.
    public static let openBLAS = OpenBLASBackend()
    /// oneDNN, when its CPU engine opens.
    public static let oneDNN: OneDNNBackend? = OneDNNBackend()

    /// Every available backend.
    public static var all: [any MatMulBackend] { [openBLAS] + (oneDNN.map { [$0] } ?? []) }

    /// The backend used for float32 products, chosen once per process.
    ///
    /// `VOLT_BACKEND=openblas|onednn` forces one; otherwise a one-off calibration (a 512³ product on each,
    /// best of three) picks the faster on this CPU.
    public static let selected: any MatMulBackend = {
        if let forced = ProcessInfo.processInfo.environment["VOLT_BACKEND"]?.lowercased() {
            if let match = all.first(where: { $0.name == forced }) { return match }
            FileHandle.standardError.write(Data(
                "volt: VOLT_BACKEND=\(forced) is not one of \(all.map(\.name)); calibrating instead\n".utf8))
        }
        return all.max { calibrationSeconds($0) > calibrationSeconds($1) } ?? openBLAS
    }()

    /// The backend for bfloat16 products: oneDNN where the CPU has native bfloat16, else the float32 choice
    /// (which widens its inputs).
    public static var bf16: any MatMulBackend {
        if let oneDNN, oneDNN.supportsBF16 { return oneDNN }
        return selected
    }

    /// Seconds the best of three 512³ products takes on `backend`.
    static func calibrationSeconds(_ backend: any MatMulBackend) -> Double {
        let n = 512
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { a.deallocate(); c.deallocate() }
        volt_fill_uniform_f32(a, n * n, 7, 0, -1, 1)
        let shape = GEMMShape.rowMajor(m: n, n: n, k: n)
        var best = Double.infinity
        for _ in 0..<4 {  // the first run warms caches and JIT; keep the best of the rest
            let start = DispatchTime.now().uptimeNanoseconds
            backend.multiply(shape, a: a, b: a, c: c)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }
}

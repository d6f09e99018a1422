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
    /// `VOLT_BACKEND=openblas|onednn` forces one; otherwise a one-off calibration
    /// (``calibrationSpeedup(of:over:)``) decides: oneDNN, the fast path, unless OpenBLAS is more than
    /// ``calibrationMargin`` faster.
    /// The margin keeps near-ties (AVX2-only CPUs, where the two run at about the same speed) from choosing
    /// differently in different processes — the backends round differently in the last bits, and a resumed run
    /// must repeat the interrupted one exactly.
    public static let selected: any MatMulBackend = {
        if let forced = ProcessInfo.processInfo.environment["VOLT_BACKEND"]?.lowercased() {
            if let match = all.first(where: { $0.name == forced }) { return match }
            FileHandle.standardError.write(Data(
                "volt: VOLT_BACKEND=\(forced) is not one of \(all.map(\.name)); calibrating instead\n".utf8))
        }
        guard let oneDNN else { return openBLAS }
        return calibrationSpeedup(of: openBLAS, over: oneDNN) > 1 + calibrationMargin ? openBLAS : oneDNN
    }()

    /// How much faster than oneDNN OpenBLAS must calibrate to be selected (0.2: 20 %).
    public static let calibrationMargin = 0.2

    /// The backend for bfloat16 products: oneDNN where the CPU has native bfloat16, else the float32 choice
    /// (which widens its inputs).
    public static var bf16: any MatMulBackend {
        if let oneDNN, oneDNN.supportsBF16 { return oneDNN }
        return selected
    }

    /// How many times faster `candidate` runs a 768³ product than `reference`: the median of five rounds that time
    /// one product on each, back to back, after a warm-up round (caches, JIT, thread pool), so that a passing
    /// slowdown of the machine hits both sides of a round alike.
    static func calibrationSpeedup(of candidate: any MatMulBackend, over reference: any MatMulBackend) -> Double {
        let n = 768
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { a.deallocate(); c.deallocate() }
        volt_fill_uniform_f32(a, n * n, 7, 0, -1, 1)
        let shape = GEMMShape.rowMajor(m: n, n: n, k: n)
        func seconds(_ backend: any MatMulBackend) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            backend.multiply(shape, a: a, b: a, c: c)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        _ = (seconds(candidate), seconds(reference))
        let ratios = (0..<5).map { _ in seconds(reference) / seconds(candidate) }.sorted()
        return ratios[ratios.count / 2]
    }
}

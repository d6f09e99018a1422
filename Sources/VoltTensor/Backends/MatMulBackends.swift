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
    /// oneDNN, the fast path, whenever its engine opens; OpenBLAS otherwise. `VOLT_BACKEND=openblas|onednn` forces
    /// one, and `VOLT_BACKEND=auto` times both (`calibrationSpeedup(of:over:)`) and takes OpenBLAS only when it is
    /// more than ``calibrationMargin`` faster. The choice is fixed unless asked otherwise because the backends round
    /// differently in the last bits: a timed choice can flip between processes on a busy machine (measured: two
    /// fits started side by side picked differently and ended with different weights), and a resumed run must
    /// repeat the interrupted one exactly.
    public static let selected: any MatMulBackend = {
        let requested = ProcessInfo.processInfo.environment["VOLT_BACKEND"]?.lowercased()
        if let requested, requested != "auto" {
            if let match = all.first(where: { $0.name == requested }) { return match }
            FileHandle.standardError.write(Data(
                "volt: VOLT_BACKEND=\(requested) is not one of \(all.map(\.name)) or auto; using the default\n".utf8))
        }
        guard let oneDNN else { return openBLAS }
        guard requested == "auto" else { return oneDNN }
        return calibrationSpeedup(of: openBLAS, over: oneDNN) > 1 + calibrationMargin ? openBLAS : oneDNN
    }()

    /// Whether ``selected`` was chosen by timing (`VOLT_BACKEND=auto`), which can differ between processes.
    public static var isTimedChoice: Bool {
        ProcessInfo.processInfo.environment["VOLT_BACKEND"]?.lowercased() == "auto" && oneDNN != nil
    }

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

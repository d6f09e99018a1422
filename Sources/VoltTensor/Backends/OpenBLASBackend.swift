import CBLAS
import CVoltKernels

/// Matrix products through OpenBLAS's `cblas_sgemm` (its OpenMP build, sharing libgomp's threads).
///
/// bfloat16 inputs are widened to float32 first: Debian's OpenBLAS 0.3.21 has no `sbgemm`.
public struct OpenBLASBackend: MatMulBackend {
    /// Creates the backend.
    public init() {}

    public var name: String { "openblas" }
    public var supportsBF16: Bool { false }

    /// Whether the loaded OpenBLAS is the OpenMP build (`openblas_get_parallel() == 2`).
    public static var isOpenMPBuild: Bool { openblas_get_parallel() == 2 }
    /// The kernel family OpenBLAS chose for this CPU (e.g. `Haswell`, `SkylakeX`).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    public func multiply(_ s: GEMMShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>) {
        for i in 0..<s.batch {
            cblas_sgemm(CblasRowMajor, s.a.transposed ? CblasTrans : CblasNoTrans,
                        s.b.transposed ? CblasTrans : CblasNoTrans,
                        Int32(s.m), Int32(s.n), Int32(s.k), 1,
                        a + i * s.a.batchStride, Int32(s.a.leadingDimension),
                        b + i * s.b.batchStride, Int32(s.b.leadingDimension),
                        0, c + i * s.m * s.n, Int32(s.n))
        }
    }

    public func multiplyBF16(_ s: GEMMShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                             c: UnsafeMutablePointer<Float>) {
        multiplyWidening(s, a: a, b: b, c: c)
    }
}

/// One operand of a batched matrix product as it lies in memory.
public struct GEMMOperand: Hashable, Sendable {
    /// Whether the stored matrix is the transpose of the operand (column-major view of a row-major buffer).
    public var transposed: Bool
    /// Distance in elements between consecutive stored rows.
    public var leadingDimension: Int
    /// Distance in elements between consecutive matrices of the batch; 0 repeats one matrix for every batch entry.
    public var batchStride: Int

    /// Describes an operand.
    public init(transposed: Bool, leadingDimension: Int, batchStride: Int) {
        self.transposed = transposed
        self.leadingDimension = leadingDimension
        self.batchStride = batchStride
    }
}

/// The shape of a batched product `C[i] = A[i] · B[i]`, `A[i]` m×k, `B[i]` k×n, `C` contiguous [batch, m, n].
public struct GEMMShape: Hashable, Sendable {
    /// Number of products.
    public var batch: Int
    /// Rows of A and C.
    public var m: Int
    /// Columns of B and C.
    public var n: Int
    /// Columns of A, rows of B.
    public var k: Int
    /// Memory layout of A.
    public var a: GEMMOperand
    /// Memory layout of B.
    public var b: GEMMOperand

    /// Describes a product.
    public init(batch: Int, m: Int, n: Int, k: Int, a: GEMMOperand, b: GEMMOperand) {
        self.batch = batch
        self.m = m
        self.n = n
        self.k = k
        self.a = a
        self.b = b
    }

    /// A plain row-major product of contiguous matrices.
    public static func rowMajor(m: Int, n: Int, k: Int, batch: Int = 1) -> GEMMShape {
        GEMMShape(batch: batch, m: m, n: n, k: k, a: GEMMOperand(transposed: false, leadingDimension: k, batchStride: m * k),
                  b: GEMMOperand(transposed: false, leadingDimension: n, batchStride: k * n))
    }

    /// Floating-point operations of the product (2·m·n·k per batch entry).
    public var flops: Double { 2 * Double(batch) * Double(m) * Double(n) * Double(k) }
}

/// A matrix-multiplication library that Volt can route its products through.
///
/// Implementations: ``OpenBLASBackend`` (portable) and ``OneDNNBackend`` (oneDNN's JIT kernels, with bfloat16
/// inputs on CPUs that have AVX512_BF16). ``MatMulBackends/selected`` picks one per process.
public protocol MatMulBackend: Sendable {
    /// Short name (`openblas`, `onednn`).
    var name: String { get }
    /// Computes `C = A · B` in float32 (C is overwritten).
    func multiply(_ shape: GEMMShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>)
    /// Whether ``multiplyBF16(_:a:b:c:)`` runs on native bfloat16 kernels.
    var supportsBF16: Bool { get }
    /// Computes `C = A · B` from bfloat16 inputs with float32 accumulation and output.
    func multiplyBF16(_ shape: GEMMShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                      c: UnsafeMutablePointer<Float>)
}

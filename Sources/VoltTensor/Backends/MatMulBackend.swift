import CVoltKernels

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
    /// Computes `C = A · B` from bfloat16 inputs with float32 accumulation and output (widening the inputs to
    /// float32 where the CPU has no bfloat16 kernels).
    func multiplyBF16(_ shape: GEMMShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                      c: UnsafeMutablePointer<Float>)
    /// Computes `C = A · B + bias` in float32, `bias` (n values, or nil) added to every row of every batch entry.
    func multiply(_ shape: GEMMShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                  c: UnsafeMutablePointer<Float>)
    /// ``multiplyBF16(_:a:b:c:)`` plus a float32 `bias` (n values, or nil) added to every row.
    func multiplyBF16(_ shape: GEMMShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                      bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>)
}

extension MatMulBackend {
    /// The product, then the bias added in place in one pass (backends without a fused bias).
    public func multiply(_ shape: GEMMShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>) {
        multiply(shape, a: a, b: b, c: c)
        if let bias { Self.addRows(bias, to: c, shape) }
    }

    /// The bfloat16 product, then the bias added in place in one pass (backends without a fused bias).
    public func multiplyBF16(_ shape: GEMMShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                             bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>) {
        multiplyBF16(shape, a: a, b: b, c: c)
        if let bias { Self.addRows(bias, to: c, shape) }
    }

    /// c[r, :] += bias over the product's batch · m rows.
    static func addRows(_ bias: UnsafePointer<Float>, to c: UnsafeMutablePointer<Float>, _ s: GEMMShape) {
        volt_binary_rows_f32(VOLT_ADD, c, bias, c, s.batch * s.m, s.n, 1)
    }

    /// A bfloat16 product without bfloat16 kernels: widens both operands to float32 (exactly), then runs
    /// ``multiply(_:a:b:c:)``.
    func multiplyWidening(_ s: GEMMShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                          c: UnsafeMutablePointer<Float>) {
        let aCount = Self.span(s.a, rows: s.m, cols: s.k, batch: s.batch)
        let bCount = Self.span(s.b, rows: s.k, cols: s.n, batch: s.batch)
        let wideA = UnsafeMutablePointer<Float>.allocate(capacity: aCount)
        let wideB = UnsafeMutablePointer<Float>.allocate(capacity: bCount)
        defer { wideA.deallocate(); wideB.deallocate() }
        volt_bf16_to_f32(a, wideA, aCount)
        volt_bf16_to_f32(b, wideB, bCount)
        multiply(s, a: wideA, b: wideB, c: c)
    }

    /// Elements from the first to one past the last element an operand touches.
    static func span(_ op: GEMMOperand, rows: Int, cols: Int, batch: Int) -> Int {
        let (outer, inner) = op.transposed ? (cols, rows) : (rows, cols)
        return (batch - 1) * op.batchStride + (outer - 1) * op.leadingDimension + inner
    }
}

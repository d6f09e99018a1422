import CVoltKernels

/// An n-dimensional array with reverse-mode automatic differentiation.
///
/// A tensor is a view — shape, strides in elements and an offset — onto a ``TensorStorage``. Reshapes of
/// contiguous tensors, transposes and slices are views that share storage; operations that need contiguous data
/// copy first (``contiguous()``). A tensor with ``requiresGrad`` records the operations that produce other tensors
/// from it, and ``backward(_:)`` fills ``grad`` of every such leaf.
///
/// Tensors are reference types, like arrays in other autograd libraries, because the graph refers to them.
/// They are not safe to mutate from two threads at once.
public final class Tensor: @unchecked Sendable {
    /// Extent of each dimension; `[]` is a scalar.
    public let shape: [Int]
    /// Distance in elements between neighbours along each dimension.
    public let strides: [Int]
    /// Position of the first element in ``storage``, in elements.
    public let offset: Int
    /// The buffer this tensor views.
    public private(set) var storage: TensorStorage
    /// Element type.
    public let dtype: DType

    /// Whether gradients flow to this tensor. Leaves with it set receive ``grad`` from ``backward(_:)``.
    public var requiresGrad: Bool
    /// The accumulated gradient (same shape, float32), or `nil` before the first backward pass or after zeroing.
    public var grad: Tensor?
    /// Called after ``backward(_:)`` adds into this leaf's ``grad`` (PyTorch's post-accumulate-grad hook); data
    /// parallelism uses it to start reducing gradients while the backward pass goes on.
    public var gradientHook: ((Tensor) -> Void)?
    /// The operation that produced this tensor, while the graph is alive.
    var gradFunction: GradFunction?
    /// This activation rounded to half precision, made once and shared by every operation that keeps it for the
    /// backward pass or multiplies it in bfloat16 (see ``Tensor/rounded(to:)``).
    var roundedCopy: Tensor?
    /// This gradient summed over every dimension but the last, written by the operation that made it in the same
    /// pass (a projection's bias gradient); ``summed(toShape:)`` returns it instead of reading the gradient again.
    var columnSums: Tensor?

    /// A view onto existing storage.
    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int = 0, dtype: DType,
         requiresGrad: Bool = false) {
        precondition(shape.count == strides.count, "shape \(shape) and strides \(strides) differ in rank")
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.requiresGrad = requiresGrad
    }

    /// An uninitialized contiguous tensor.
    public convenience init(uninitializedShape shape: [Int], dtype: DType = .float32) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let count = shape.reduce(1, *)
        self.init(storage: TensorStorage(byteCount: count * dtype.byteSize), shape: shape,
                  strides: Tensor.contiguousStrides(shape), dtype: dtype)
    }

    /// A float32 tensor holding `scalars` in row-major order.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "\(scalars.count) scalars do not fill shape \(shape)")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { floatPointer.update(from: base, count: scalars.count) }
        }
        self.requiresGrad = requiresGrad
    }

    /// An int32 tensor holding `indices` in row-major order.
    public convenience init(shape: [Int], indices: [Int32]) {
        precondition(shape.reduce(1, *) == indices.count, "\(indices.count) indices do not fill shape \(shape)")
        self.init(uninitializedShape: shape, dtype: .int32)
        indices.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { int32Pointer.update(from: base, count: indices.count) }
        }
    }

    /// A float32 scalar (shape `[]`).
    public convenience init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [value], requiresGrad: requiresGrad)
    }

    // MARK: Geometry

    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// Number of elements.
    @inlinable public var count: Int { shape.reduce(1, *) }

    /// Row-major strides of a contiguous tensor of `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= Swift.max(shape[axis], 1)
        }
        return strides
    }

    /// Whether the elements lie in row-major order without gaps (dimensions of extent 1 may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Normalizes a possibly negative axis.
    func axis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for rank \(rank)")
        return a
    }

    // MARK: Raw access (for kernels)

    /// Pointer to the first element of a float32 tensor.
    public var floatPointer: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "float32 tensor required, have \(dtype)")
        return storage.data.assumingMemoryBound(to: Float.self) + offset
    }

    /// Pointer to the first element of an int32 tensor.
    public var int32Pointer: UnsafeMutablePointer<Int32> {
        precondition(dtype == .int32, "int32 tensor required, have \(dtype)")
        return storage.data.assumingMemoryBound(to: Int32.self) + offset
    }

    /// Pointer to the first element of a bfloat16 tensor, as raw 16-bit patterns.
    var bfloat16Pointer: UnsafeMutablePointer<UInt16> {
        precondition(dtype == .bfloat16, "bfloat16 tensor required, have \(dtype)")
        return rawPointer.assumingMemoryBound(to: UInt16.self)
    }

    /// Pointer to the first element, untyped.
    public var rawPointer: UnsafeMutableRawPointer { storage.data + offset * dtype.byteSize }

    // MARK: Reading values

    /// The elements in row-major order, converted to Float.
    public var scalars: [Float] {
        let t = contiguous().float32()
        return Array(UnsafeBufferPointer(start: t.floatPointer, count: t.count))
    }

    /// The elements of an int32 tensor in row-major order.
    public var indices: [Int32] {
        let t = contiguous()
        return Array(UnsafeBufferPointer(start: t.int32Pointer, count: t.count))
    }

    /// The single element of a one-element tensor.
    public func item() -> Float {
        precondition(count == 1, "item() needs one element, have shape \(shape)")
        return scalars[0]
    }

    /// A contiguous tensor with the same values: `self` when already contiguous, else a copy.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        let dims = shape.map(Int64.init), steps = strides.map(Int64.init)
        dims.withUnsafeBufferPointer { d in
            steps.withUnsafeBufferPointer { s in
                volt_strided_copy(rawPointer, out.rawPointer, Int32(rank), d.baseAddress, s.baseAddress,
                                  dtype.byteSize)
            }
        }
        return Tensor.record(out, inputs: [self], name: "contiguous") { g in [g] }
    }

    /// Whether this tensor is the only one on its storage (no view, copy-free reshape or saved alias shares it).
    var ownsItsStorage: Bool { isKnownUniquelyReferenced(&storage) }

    /// A copy that shares no storage with `self` and is not part of the graph.
    public func clone() -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        let src = contiguous()
        Tensor.copyBytes(from: src.rawPointer, to: out.rawPointer, count: count * dtype.byteSize)
        return out
    }

    /// Copies `count` bytes, on every thread for a large buffer (a gradient's first copy is tens of megabytes).
    static func copyBytes(from src: UnsafeRawPointer, to dst: UnsafeMutableRawPointer, count: Int) {
        let chunk = 1 << 16
        let rows = count >= 1 << 20 ? count / chunk : 0
        if rows > 0 { volt_copy_2d(src, chunk, dst, chunk, rows, chunk) }
        let done = rows * chunk
        if done < count { (dst + done).copyMemory(from: src + done, byteCount: count - done) }
    }

    /// The same values, cut from the graph: gradients do not flow through the result.
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = count <= 16 ? "\(scalars)" : "\(Array(scalars.prefix(8))) …"
        return "Tensor(shape: \(shape), dtype: \(dtype)\(requiresGrad ? ", requiresGrad" : ""), \(values))"
    }
}

/// Mixed-precision settings for the operations run inside ``withAutocast(_:_:)``.
///
/// Two effects, both scoped to the enclosing task: activations that operations keep for the backward pass are
/// stored in `storage` precision (half the memory of float32), and matrix products take `compute` precision
/// inputs — on native kernels where the CPU has them (bfloat16 on AVX512_BF16), else rounded and widened back
/// for the float32 kernels, so results agree across machines. Attention's products use bfloat16 only on native
/// kernels. Parameters stay float32 (master weights); gradients are float32.
public struct Autocast: Sendable, Equatable {
    /// Precision of tensors saved for the backward pass.
    public var storage: DType
    /// Precision of matrix-product inputs.
    public var compute: DType

    /// Plain float32.
    public static let float32 = Autocast(storage: .float32, compute: .float32)
    /// float16 storage; float32 products (no native float16 kernels on these CPUs).
    public static let float16 = Autocast(storage: .float16, compute: .float32)
    /// bfloat16 storage and bfloat16 products.
    public static let bfloat16 = Autocast(storage: .bfloat16, compute: .bfloat16)

    /// The settings in force.
    @TaskLocal public static var current = Autocast.float32
}

/// Runs `body` with `settings` in force (like `torch.autocast`).
public func withAutocast<T>(_ settings: Autocast, _ body: () throws -> T) rethrows -> T {
    try Autocast.$current.withValue(settings, operation: body)
}

/// A tensor kept for a backward pass: as is, or rounded to half precision under autocast.
///
/// Leaves (parameters) and views (such as a transposed weight) are kept as they are — their storage exists
/// anyway, and rounding a view would copy it — so only activations shrink. With recording off (`withNoGrad`, the
/// forward pass of a checkpointed layer) no backward pass will read the tensor: it is kept as is, so no rounded
/// copy is made — nor cached on an activation that outlives the operation, such as a checkpointed layer's input.
struct SavedTensor {
    private let stored: Tensor

    init(_ tensor: Tensor) {
        stored = Self.rounds(tensor) ? tensor.rounded(to: Autocast.current.storage) : tensor.detached()
    }

    /// Whether keeping `tensor` rounds it: half-precision storage with recording on, and a contiguous float32
    /// tensor that is not a leaf parameter.
    private static func rounds(_ tensor: Tensor) -> Bool {
        Autocast.current.storage != .float32 && GradMode.isEnabled && tensor.dtype == .float32
            && !(tensor.requiresGrad && tensor.isLeaf) && tensor.isContiguous
    }

    /// Whether keeping `tensor` would make a new bfloat16 copy of it (it rounds, to bfloat16, and has no rounded
    /// copy yet): an operation that reads `tensor` anyway can write that copy in its own pass and keep it with
    /// ``init(_:roundedCopy:)``.
    static func roundsAfreshToBFloat16(_ tensor: Tensor) -> Bool {
        Autocast.current.storage == .bfloat16 && rounds(tensor) && tensor.roundedCopy == nil
    }

    /// Keeps `operand`, a bfloat16 copy a product already made of the tensor it replaces (same shape, any
    /// strides), so the backward pass reads the same rounded values without converting again.
    init(bfloat16Operand operand: Tensor) {
        precondition(operand.dtype == .bfloat16, "a bfloat16 operand, have \(operand.dtype)")
        stored = operand
    }

    /// Keeps `tensor` (float32, contiguous) with `copy`, its bfloat16 rounding written by the operation that made
    /// or read it; the copy is cached on an activation like ``Tensor/rounded(to:)`` does, so later products and
    /// saves share it.
    init(_ tensor: Tensor, roundedCopy copy: Tensor) {
        if tensor.gradFunction != nil, tensor.roundedCopy == nil { tensor.roundedCopy = copy }
        stored = copy
    }

    /// The saved values in bfloat16, contiguous, when that is how they were kept (a kernel may read them as is).
    var contiguousBFloat16: Tensor? { stored.dtype == .bfloat16 && stored.isContiguous ? stored : nil }

    /// The saved values as float32 (a view when they were kept as is; contiguous when they were rounded).
    var value: Tensor { withNoGrad { stored.float32() } }

    /// The saved values as a matrix-product operand: the bfloat16 tensor itself when they were saved in bfloat16
    /// and products take bfloat16 inputs (no round trip through float32), else ``value``.
    var operand: Tensor {
        stored.dtype == .bfloat16 && Tensor.multipliesInBFloat16 ? stored : value
    }
}

extension Tensor {
    /// This tensor converted to `dtype` (contiguous, no gradient). An activation — a contiguous tensor produced by
    /// a recorded operation, which nothing writes to afterwards — converts once: the copy is kept with it (and
    /// carried to its reshaped and transposed views), so two operations saving the same activation, or a bfloat16
    /// product and the backward pass, share one buffer.
    func rounded(to dtype: DType) -> Tensor {
        if self.dtype == dtype { return withNoGrad { contiguous() } }
        if let copy = roundedCopy, copy.dtype == dtype, isContiguous, copy.strides == strides { return copy }
        let isActivation = gradFunction != nil && isContiguous
        let copy = withNoGrad { to(dtype) }
        if isActivation { roundedCopy = copy }
        return copy
    }
}

import CVoltKernels

/// The bfloat16 copies a unary operation writes in its own pass under bfloat16 autocast, instead of a later
/// conversion pass re-reading its float32 input or output.
///
/// - the input's rounding, when the derivative needs the input and ``SavedTensor`` would round it anyway;
/// - the output's rounding, when the derivative needs the output, or when the operation is an activation function
///   (GELU, SiLU, ReLU) whose output a bfloat16 projection takes next — cached on the output as its rounded copy,
///   or, for GELU, returned as the output itself (bfloat16, with no float32 output written).
struct UnaryRounding {
    /// The input rounded to bfloat16, to save for the backward pass.
    let input: Tensor?
    /// The output rounded to bfloat16.
    let output: Tensor?
    /// Whether ``output`` is the copy a following bfloat16 product takes.
    let outputIsProductOperand: Bool
    /// Whether ``output`` is the operation's result itself, with no float32 output written (GELU).
    let returnsOutput: Bool

    /// The copies to write, or nil when the plain float32 kernel is all that is needed.
    ///
    /// - Parameters:
    ///   - input: the float32, contiguous input.
    ///   - recording: whether the operation is recorded for a backward pass on this very input.
    init?(op: volt_unary_op, input x: Tensor, recording: Bool, savesInput: Bool, savesOutput: Bool) {
        guard recording, GradMode.isEnabled, Autocast.current.storage == .bfloat16 else { return nil }
        let feedsProduct = Self.feedsProduct(op)
        // As SavedTensor keeps it: a leaf parameter as is, an activation rounded before with its existing copy.
        let roundsInput = savesInput && SavedTensor.roundsAfreshToBFloat16(x)
        let roundsOutput = savesOutput || feedsProduct
        guard roundsInput || roundsOutput else { return nil }
        input = roundsInput ? Tensor(uninitializedShape: x.shape, dtype: .bfloat16) : nil
        output = roundsOutput ? Tensor(uninitializedShape: x.shape, dtype: .bfloat16) : nil
        outputIsProductOperand = feedsProduct
        returnsOutput = feedsProduct && Self.returnsBFloat16(op)
    }
}

extension UnaryRounding {
    /// Whether `op` is an activation function between two projections and products take bfloat16 inputs: its
    /// output is the next product's input, and the gradient of its input the previous product's output gradient.
    static func feedsProduct(_ op: volt_unary_op) -> Bool {
        [VOLT_GELU_ERF, VOLT_GELU_TANH, VOLT_SILU, VOLT_RELU].contains(op) && Tensor.multipliesInBFloat16
    }

    /// Whether `op` returns its output in bfloat16 under bfloat16 products, as PyTorch's autocast does for an
    /// activation between two products: GELU, which sits between GPT-NeoX's two MLP projections, so the only
    /// reader of its output is a product that would round it anyway. (SiLU feeds a multiplication in SwiGLU
    /// blocks, so it keeps its float32 output.)
    static func returnsBFloat16(_ op: volt_unary_op) -> Bool {
        [VOLT_GELU_ERF, VOLT_GELU_TANH].contains(op)
    }
}

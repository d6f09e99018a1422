import CVoltKernels

// MARK: Binary operations with broadcasting

extension Tensor {
    /// Applies a binary kernel to two float32 tensors broadcast to a common shape (NumPy rules).
    static func broadcastBinary(_ op: volt_binary_op, _ a: Tensor, _ b: Tensor) -> Tensor {
        let outShape = Shape.broadcast(a.shape, b.shape)
        let x = a.float32().contiguous(), y = b.float32().contiguous()
        let out = Tensor(uninitializedShape: outShape)
        let n = out.count
        let commutative = op == VOLT_ADD || op == VOLT_MUL
        if x.shape == y.shape {
            volt_binary_f32(op, x.floatPointer, y.floatPointer, out.floatPointer, n, VOLT_BCAST_NONE)
        } else if y.count == 1, x.count == n {
            volt_binary_f32(op, x.floatPointer, y.floatPointer, out.floatPointer, n, VOLT_BCAST_B_SCALAR)
        } else if x.count == 1, y.count == n {
            volt_binary_f32(op, x.floatPointer, y.floatPointer, out.floatPointer, n, VOLT_BCAST_A_SCALAR)
        } else if x.count == n, let (rows, cols, isRow) = rowBroadcast(full: outShape, part: y.shape) {
            volt_binary_rows_f32(op, x.floatPointer, y.floatPointer, out.floatPointer, rows, cols, isRow ? 1 : 0)
        } else if commutative, y.count == n, let (rows, cols, isRow) = rowBroadcast(full: outShape, part: x.shape) {
            volt_binary_rows_f32(op, y.floatPointer, x.floatPointer, out.floatPointer, rows, cols, isRow ? 1 : 0)
        } else {
            let ex = withNoGrad { x.expanded(to: outShape) }, ey = withNoGrad { y.expanded(to: outShape) }
            volt_binary_f32(op, ex.floatPointer, ey.floatPointer, out.floatPointer, n, VOLT_BCAST_NONE)
        }
        return out
    }

    /// Whether `part` broadcasts over `full` as a row repeated over leading dimensions (`isRow`) or as one value
    /// per row repeated over trailing dimensions; returns the [rows, cols] view of `full`.
    private static func rowBroadcast(full: [Int], part: [Int]) -> (rows: Int, cols: Int, isRow: Bool)? {
        let padded = [Int](repeating: 1, count: full.count - part.count) + part
        // Row: padded is 1 on a prefix and equals full on the rest.
        if let split = (0...full.count).first(where: { k in
            padded[..<k].allSatisfy { $0 == 1 } && Array(padded[k...]) == Array(full[k...])
        }) {
            let cols = full[split...].reduce(1, *)
            return (full.count == 0 ? 1 : full.reduce(1, *) / Swift.max(cols, 1), cols, true)
        }
        // Column: padded equals full on a prefix and is 1 on the rest.
        if let split = (0...full.count).reversed().first(where: { k in
            Array(padded[..<k]) == Array(full[..<k]) && padded[k...].allSatisfy { $0 == 1 }
        }) {
            let rows = full[..<split].reduce(1, *)
            return (rows, full[split...].reduce(1, *), false)
        }
        return nil
    }

    /// The gradient `g` summed over the dimensions along which a tensor of `target` shape was broadcast.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        if let sums = columnSums, rank > 1, target == [shape[rank - 1]] { return sums }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (i, extent) in target.enumerated() where extent == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    /// Elementwise sum with broadcasting (NumPy rules); the gradient is summed back to each operand's shape.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(VOLT_ADD, a, b)
        let shapeA = a.shape, shapeB = b.shape  // shapes only: capturing a or b would keep them alive until backward
        return record(out, inputs: [a, b], name: "add") { g in [g.summed(toShape: shapeA), g.summed(toShape: shapeB)] }
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(VOLT_SUB, a, b)
        let shapeA = a.shape, shapeB = b.shape
        return record(out, inputs: [a, b], name: "sub") { g in
            [g.summed(toShape: shapeA), (-g).summed(toShape: shapeB)]
        }
    }

    /// Elementwise (Hadamard) product with broadcasting; not the matrix product (``matmul(_:)``).
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(VOLT_MUL, a, b)
        let sa = b.requiresGrad ? SavedTensor(a) : nil, sb = a.requiresGrad ? SavedTensor(b) : nil
        let shapeA = a.shape, shapeB = b.shape
        return record(out, inputs: [a, b], name: "mul") { g in
            [sb.map { (g * $0.value).summed(toShape: shapeA) }, sa.map { (g * $0.value).summed(toShape: shapeB) }]
        }
    }

    /// Elementwise quotient with broadcasting; division by zero gives ±infinity or NaN, as in IEEE 754.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastBinary(VOLT_DIV, a, b)
        let sa = b.requiresGrad ? SavedTensor(a) : nil, sb = SavedTensor(b)
        let shapeA = a.shape, shapeB = b.shape, needsA = a.requiresGrad
        return record(out, inputs: [a, b], name: "div") { g in
            let denominator = sb.value
            return [needsA ? (g / denominator).summed(toShape: shapeA) : nil,
                    sa.map { (-(g * $0.value) / (denominator * denominator)).summed(toShape: shapeB) }]
        }
    }

    /// Elementwise `self ^ exponent` with broadcasting.
    public func pow(_ exponent: Tensor) -> Tensor {
        let out = Tensor.broadcastBinary(VOLT_POW, self, exponent)
        let savedBase = SavedTensor(self), savedExponent = SavedTensor(exponent), savedResult = SavedTensor(out)
        let baseShape = shape, exponentShape = exponent.shape
        let needsBase = requiresGrad, needsExponent = exponent.requiresGrad
        return Tensor.record(out, inputs: [self, exponent], name: "pow") { g in
            let base = savedBase.value, e = savedExponent.value
            return [needsBase ? (g * e * base.pow(e - 1)).summed(toShape: baseShape) : nil,
                    needsExponent ? (g * savedResult.value * base.log()).summed(toShape: exponentShape) : nil]
        }
    }

    /// Adds a scalar to every element.
    public static func + (a: Tensor, b: Float) -> Tensor { a.affine(scale: 1, shift: b) }
    /// Adds a scalar to every element.
    public static func + (a: Float, b: Tensor) -> Tensor { b.affine(scale: 1, shift: a) }
    /// Subtracts a scalar from every element.
    public static func - (a: Tensor, b: Float) -> Tensor { a.affine(scale: 1, shift: -b) }
    /// A scalar minus every element.
    public static func - (a: Float, b: Tensor) -> Tensor { b.affine(scale: -1, shift: a) }
    /// Multiplies every element by a scalar.
    public static func * (a: Tensor, b: Float) -> Tensor { a.affine(scale: b, shift: 0) }
    /// Multiplies every element by a scalar.
    public static func * (a: Float, b: Tensor) -> Tensor { b.affine(scale: a, shift: 0) }
    /// Divides every element by a scalar (as a multiplication by its reciprocal).
    public static func / (a: Tensor, b: Float) -> Tensor { a.affine(scale: 1 / b, shift: 0) }
    /// A scalar divided by every element.
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }
    /// Negates every element.
    public static prefix func - (a: Tensor) -> Tensor { a.unary(VOLT_NEG, name: "neg") }
}

// MARK: Unary operations

/// Which GELU formula to use.
public enum GELUApproximation: String, Sendable {
    /// x·Φ(x) with the exact normal CDF (erf).
    case none
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), GPT-NeoX's `gelu_fast` / `gelu_new`.
    case tanh
}

extension Tensor {
    /// Applies a unary kernel and records its backward through the matching derivative kernel.
    func unary(_ op: volt_unary_op, name: String, alpha: Float = 0, beta: Float = 0) -> Tensor {
        let x = float32().contiguous()
        // Each derivative needs the input or the output, not both (neg and affine need neither).
        let usesOutput = [VOLT_EXP, VOLT_SQRT, VOLT_TANH, VOLT_SIGMOID].contains(op)
        let usesNothing = op == VOLT_NEG || op == VOLT_AFFINE
        let saved: SavedTensor?
        let out: Tensor
        if let rounding = UnaryRounding(op: op, input: x, recording: requiresGrad && x === self,
                                        savesInput: !usesNothing && !usesOutput, savesOutput: !usesNothing && usesOutput) {
            // bfloat16 autocast: the saved tensor's rounding (and, for an activation function, the copy its
            // projection takes) come out of the same pass; GELU's output is that bfloat16 copy alone.
            let full = rounding.returnsOutput ? nil : Tensor(uninitializedShape: shape)
            volt_unary_round_f32(op, x.floatPointer, full?.floatPointer, rounding.input?.bfloat16Pointer,
                                 rounding.output?.bfloat16Pointer, count, alpha, beta)
            out = full ?? rounding.output!
            if let copy = rounding.output, rounding.outputIsProductOperand, let full { full.roundedCopy = copy }
            saved = usesNothing ? nil
                : usesOutput ? rounding.output.map { SavedTensor(out, roundedCopy: $0) } ?? SavedTensor(out)
                : rounding.input.map { SavedTensor(x, roundedCopy: $0) } ?? SavedTensor(x)
        } else {
            out = Tensor(uninitializedShape: shape)
            volt_unary_f32(op, x.floatPointer, out.floatPointer, count, alpha, beta)
            saved = usesNothing ? nil : SavedTensor(usesOutput ? out : x)
        }
        return Tensor.record(out, inputs: [self], name: name) { g in
            let dy = g.contiguous()
            let dx = Tensor(uninitializedShape: dy.shape)
            if let rounded = saved?.contiguousBFloat16 {
                // An activation function's input came out of a projection, whose backward products round this
                // gradient and whose bias sums its columns: make both in the same pass.
                let feedsProduct = UnaryRounding.feedsProduct(op) && dy.rank > 1
                let dx16 = feedsProduct ? Tensor(uninitializedShape: dy.shape, dtype: .bfloat16) : nil
                let sums = feedsProduct ? Tensor(uninitializedShape: [dy.shape[dy.rank - 1]]) : nil
                let p = rounded.bfloat16Pointer
                volt_unary_backward_bf16_saved(op, usesOutput ? nil : p, usesOutput ? p : nil, dy.floatPointer,
                                               dx.floatPointer, dx16?.bfloat16Pointer, dx.count, alpha,
                                               sums?.count ?? 0, sums?.floatPointer)
                dx.roundedCopy = dx16
                dx.columnSums = sums
                return [dx]
            }
            let values = saved?.value
            let xs = usesOutput ? nil : values?.floatPointer, ys = usesOutput ? values?.floatPointer : nil
            volt_unary_backward_f32(op, xs, ys, dy.floatPointer, dx.floatPointer, dx.count, alpha)
            return [dx]
        }
    }

    /// `scale · x + shift`.
    public func affine(scale: Float, shift: Float) -> Tensor { unary(VOLT_AFFINE, name: "affine", alpha: scale, beta: shift) }
    /// eˣ (0 below −87.3, +inf above 88.7).
    public func exp() -> Tensor { unary(VOLT_EXP, name: "exp") }
    /// ln x (−inf at 0, NaN below).
    public func log() -> Tensor { unary(VOLT_LOG, name: "log") }
    /// √x.
    public func sqrt() -> Tensor { unary(VOLT_SQRT, name: "sqrt") }
    /// tanh x.
    public func tanh() -> Tensor { unary(VOLT_TANH, name: "tanh") }
    /// The logistic function 1 / (1 + e⁻ˣ).
    public func sigmoid() -> Tensor { unary(VOLT_SIGMOID, name: "sigmoid") }
    /// max(x, 0).
    public func relu() -> Tensor { unary(VOLT_RELU, name: "relu") }
    /// x · σ(x) (SiLU, the activation of LLaMA's SwiGLU feed-forward block).
    public func silu() -> Tensor { unary(VOLT_SILU, name: "silu") }
    /// xᵖ for a constant exponent.
    public func pow(_ exponent: Float) -> Tensor { unary(VOLT_POW_SCALAR, name: "pow", alpha: exponent) }
    /// The Gaussian error linear unit.
    ///
    /// Recorded under bfloat16 autocast, the result is bfloat16 (as under PyTorch's autocast): it is the input of
    /// the next projection, which multiplies in bfloat16 anyway, so no float32 output is written. Other operations
    /// read it as float32.
    public func gelu(approximation: GELUApproximation = .none) -> Tensor {
        approximation == .none ? unary(VOLT_GELU_ERF, name: "gelu") : unary(VOLT_GELU_TANH, name: "gelu_tanh")
    }

    /// `value` where `mask` is non-zero, `self` elsewhere; `mask` broadcasts to `self`'s shape.
    public func maskedFill(_ mask: Tensor, value: Float) -> Tensor {
        let m = withNoGrad { mask.float32().expanded(to: shape).contiguous() }
        let x = float32().contiguous()
        let out = Tensor(uninitializedShape: shape)
        volt_masked_fill_f32(x.floatPointer, m.floatPointer, out.floatPointer, count, value)
        return Tensor.record(out, inputs: [self], name: "maskedFill") { g in
            let dx = Tensor(uninitializedShape: g.shape)
            volt_masked_fill_f32(g.contiguous().floatPointer, m.floatPointer, dx.floatPointer, dx.count, 0)
            return [dx]
        }
    }

    /// Zeroes each element with probability `p` and scales the rest by 1/(1−p); the identity when not `training`.
    ///
    /// The mask is not stored: the backward pass regenerates it from the generator's counters.
    public func dropout(_ p: Float, training: Bool = true, generator: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        guard training, p > 0 else { return self }
        let x = float32().contiguous()
        let out = Tensor(uninitializedShape: shape)
        let seed = generator.seed, start = generator.advance(by: count)
        volt_dropout_f32(x.floatPointer, out.floatPointer, count, p, seed, start)
        return Tensor.record(out, inputs: [self], name: "dropout") { g in
            let dx = Tensor(uninitializedShape: g.shape)
            volt_dropout_f32(g.contiguous().floatPointer, dx.floatPointer, dx.count, p, seed, start)
            return [dx]
        }
    }

    /// Whether every element is finite (no inf or NaN).
    public var isFinite: Bool {
        let x = float32().contiguous()
        return volt_all_finite_f32(x.floatPointer, count) != 0
    }
}

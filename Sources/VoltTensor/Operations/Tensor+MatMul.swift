extension Tensor {
    /// The matrix product over the last two dimensions, batched over the leading ones.
    ///
    /// `self` is [..., m, k] and `other` [..., k, n]; leading dimensions must be equal, or one operand must be a
    /// plain matrix, which is then used for every batch entry. Transposed views (``transposed(_:_:)``) are passed
    /// to the backend as such, without a copy.
    public func matmul(_ other: Tensor) -> Tensor { product(other, bias: nil) }

    /// `self · weightᵀ + bias` (PyTorch's `F.linear`): `self` is [..., in], `weight` [out, in] and `bias` [out].
    ///
    /// The bias is added by the matrix-product kernel itself where the backend can (oneDNN), so the output is
    /// written once; its gradient is the output gradient summed over the rows, as for `x.matmul(wᵀ) + bias`.
    public func linear(_ weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(weight.rank == 2, "linear needs a [out, in] weight, have \(weight.shape)")
        precondition(bias.map { $0.shape == [weight.shape[0]] } ?? true,
                     "linear: bias \(bias?.shape ?? []) for \(weight.shape[0]) outputs")
        return product(weight.transposed(), bias: bias)
    }

    /// The product of ``matmul(_:)``, plus `bias` ([n], or nil) added to every row.
    private func product(_ other: Tensor, bias: Tensor?) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2, "matmul needs matrices, have \(shape) and \(other.shape)")
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
        precondition(other.shape[other.rank - 2] == k, "matmul: \(shape) · \(other.shape) inner dimensions differ")
        let batchA = Array(shape.dropLast(2)), batchB = Array(other.shape.dropLast(2))
        precondition(batchA == batchB || batchA.isEmpty || batchB.isEmpty,
                     "matmul: batch dimensions \(batchA) and \(batchB) differ")
        let batchShape = batchA.isEmpty ? batchB : batchA
        let batch = batchShape.reduce(1, *)

        // Operands already in bfloat16 (saved activations) go to a bfloat16 product as they are.
        let bfloat16 = Tensor.multipliesInBFloat16
        let (a, opA) = (bfloat16 && dtype == .bfloat16 ? self : float32()).gemmOperand()
        let (b, opB) = (bfloat16 && other.dtype == .bfloat16 ? other : other.float32()).gemmOperand()
        let out = Tensor(uninitializedShape: batchShape + [m, n])
        var gemm = GEMMShape(batch: batch, m: m, n: n, k: k, a: opA, b: opB)
        if batchA.isEmpty { gemm.a.batchStride = 0 }
        if batchB.isEmpty { gemm.b.batchStride = 0 }
        // A batch of row-major matrices times one matrix is a single taller product.
        if batchB.isEmpty, !opA.transposed, opA.batchStride == m * opA.leadingDimension || batch == 1 {
            gemm = GEMMShape(batch: 1, m: batch * m, n: n, k: k, a: opA, b: opB)
        }
        var savedA: SavedTensor?, savedB: SavedTensor?
        let bias32 = bias.map { $0.float32().contiguous() }
        let biasPointer = bias32.map { UnsafePointer($0.floatPointer) }
        if bfloat16 {
            let (a16, layoutA) = Tensor.bfloat16Operand(a, gemm.a, rows: m, cols: k)
            let (b16, layoutB) = Tensor.bfloat16Operand(b, gemm.b, rows: k, cols: n)
            gemm.a = layoutA
            gemm.b = layoutB
            MatMulBackends.bf16.multiplyBF16(gemm, a: a16.bfloat16Pointer, b: b16.bfloat16Pointer, bias: biasPointer,
                                             c: out.floatPointer)
            // The backward products take the same rounded operands: keep these copies (in the operands' own
            // shapes) rather than rounding the inputs again — a weight would otherwise be converted twice a step.
            if other.requiresGrad {
                savedA = SavedTensor(bfloat16Operand: withNoGrad { layoutA.transposed ? a16.transposed() : a16 })
            }
            if self.requiresGrad {
                savedB = SavedTensor(bfloat16Operand: withNoGrad { layoutB.transposed ? b16.transposed() : b16 })
            }
        } else {
            MatMulBackends.selected.multiply(gemm, a: a.floatPointer, b: b.floatPointer, bias: biasPointer,
                                             c: out.floatPointer)
            savedA = other.requiresGrad ? SavedTensor(self) : nil
            savedB = self.requiresGrad ? SavedTensor(other) : nil
        }
        let shapeA = shape, shapeB = other.shape, transposedB = opB.transposed && other.rank == 2
        let biasShape = bias?.shape
        return Tensor.record(out, inputs: [self, other] + (bias.map { [$0] } ?? []), name: "matmul") { gradient in
            // Under bfloat16 autocast the gradient feeds both products: round it once.
            let g = savedA != nil && savedB != nil && Tensor.multipliesInBFloat16 ? gradient.rounded(to: .bfloat16) : gradient
            var da: Tensor?, db: Tensor?
            if let savedB {
                let full = g.matmul(savedB.operand.transposed())
                da = full.shape == shapeA ? full : full.summed(toShape: shapeA)
            }
            if let savedA {
                let a = savedA.operand
                if batchB.isEmpty && transposedB {
                    // other is a transposed view (x · Wᵀ): compute (gᵀ · a)ᵀ, whose transpose — W's gradient — is
                    // already contiguous, instead of a [k, n] product the permute's backward would have to copy.
                    db = g.reshaped([-1, n]).transposed().matmul(a.reshaped([-1, k])).transposed()
                } else if batchB.isEmpty && !batchA.isEmpty {
                    db = a.reshaped([-1, k]).transposed().matmul(g.reshaped([-1, n]))
                } else {
                    let full = a.transposed().matmul(g)
                    db = full.shape == shapeB ? full : full.summed(toShape: shapeB)
                }
            }
            guard let biasShape else { return [da, db] }
            return [da, db, gradient.summed(toShape: biasShape)]
        }
    }

    /// Whether products take bfloat16 inputs here (autocast asks for it): on oneDNN's native kernels where the CPU
    /// has AVX512_BF16, else widened back to float32 for the float32 backend (the same rounding either way).
    static var multipliesInBFloat16: Bool { Autocast.current.compute == .bfloat16 }

    /// An operand converted to bfloat16 in its stored layout (a transposed operand stays transposed).
    static func bfloat16Operand(_ t: Tensor, _ layout: GEMMOperand, rows: Int, cols: Int) -> (Tensor, GEMMOperand) {
        let converted = (layout.transposed ? t.transposed() : t).rounded(to: .bfloat16)  // contiguous
        let (r, c) = layout.transposed ? (cols, rows) : (rows, cols)
        return (converted, GEMMOperand(transposed: layout.transposed, leadingDimension: c,
                                       batchStride: layout.batchStride == 0 ? 0 : r * c))
    }

    /// This tensor's matrices as a backend operand: itself when its last two dimensions are row-major or
    /// transposed and its batch dimensions collapse to one stride, else a contiguous copy.
    func gemmOperand() -> (Tensor, GEMMOperand) {
        let rows = shape[rank - 2], cols = shape[rank - 1]
        let rs = strides[rank - 2], cs = strides[rank - 1]
        var layout: GEMMOperand?
        if cs == 1 && rs >= cols && (rows > 1 || rs == cols) {
            layout = GEMMOperand(transposed: false, leadingDimension: Swift.max(rs, 1), batchStride: 0)
        } else if rs == 1 && cs >= rows && cols > 1 {
            layout = GEMMOperand(transposed: true, leadingDimension: cs, batchStride: 0)
        } else if cs == 1 && rows == 1 {
            layout = GEMMOperand(transposed: false, leadingDimension: cols, batchStride: 0)
        }
        // Batch dimensions must form one arithmetic progression.
        var batchStride = rows * cols
        if var l = layout, rank > 2 {
            var ok = true
            batchStride = strides[rank - 3]
            for d in stride(from: rank - 3, to: 0, by: -1) where strides[d - 1] != strides[d] * shape[d] { ok = false }
            if ok && (shape[..<(rank - 2)].reduce(1, *) == 1 || batchStride > 0) {
                l.batchStride = batchStride
                return (self, l)
            }
            layout = nil
        }
        if var l = layout {
            l.batchStride = batchStride
            return (self, l)
        }
        let c = contiguous()
        return (c, GEMMOperand(transposed: false, leadingDimension: cols, batchStride: rows * cols))
    }
}

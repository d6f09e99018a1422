import CVoltKernels

extension Tensor {
    /// The `k` largest values of each row of a 2-D tensor [rows, cols], in descending order, and their int32
    /// column indices ([rows, k] each), as `torch.topk(x, k, dim=-1)`.
    ///
    /// Of equal values the one with the lower index comes first. The gradient flows to the selected positions of
    /// `self` (zero elsewhere); the indices carry none.
    public func topK(_ k: Int) -> (values: Tensor, indices: Tensor) {
        precondition(rank == 2 && k >= 1 && k <= shape[1], "topK: need a [rows, cols] tensor with 1 ≤ k ≤ cols, have \(shape), k = \(k)")
        let rows = shape[0], cols = shape[1]
        let x = float32().contiguous()
        var picked = [Int32](repeating: 0, count: rows * k)
        let p = x.floatPointer
        for r in 0..<rows {
            var order = Array(0..<cols)
            // Stable on ties by index; NaN ranks first, as torch.topk treats it as the largest value.
            order.sort { a, b in
                let va = p[r * cols + a], vb = p[r * cols + b]
                if va.isNaN != vb.isNaN { return va.isNaN }
                return va > vb || (va == vb && a < b)
            }
            for j in 0..<k { picked[r * k + j] = Int32(r * cols + order[j]) }
        }
        let flatPositions = Tensor(shape: [rows * k], indices: picked)
        let values = reshaped([rows * cols, 1]).selectingRows(flatPositions).reshaped([rows, k])
        let columns = Tensor(shape: [rows, k], indices: picked.enumerated().map { Int32(Int($0.element) - ($0.offset / k) * cols) })
        return (values, columns)
    }

    /// The rows of `self` ([n, ...]) at the int32 `indices` ([m]): [m, ...], as `x[indices]` / `index_select(0, …)`.
    ///
    /// Indices may repeat; the gradient adds each picked row's gradient back into its source row.
    public func selectingRows(_ indices: Tensor) -> Tensor {
        precondition(indices.dtype == .int32 && indices.rank == 1, "selectingRows: indices must be int32 [m]")
        let n = shape[0], width = count / Swift.max(n, 1), m = indices.count
        let idx = indices.contiguous(), x = float32().contiguous()
        let out = Tensor(uninitializedShape: [m] + Array(shape.dropFirst()))
        let bad = volt_embedding_f32(x.floatPointer, idx.int32Pointer, out.floatPointer, m, width, n)
        precondition(bad < 0, "selectingRows: index \(bad >= 0 ? idx.int32Pointer[Int(bad)] : 0) outside 0..<\(n)")
        let original = shape
        return Tensor.record(out, inputs: [self], name: "selectingRows") { g in
            let dx = Tensor.zeros(original)
            volt_embedding_backward_f32(g.contiguous().floatPointer, idx.int32Pointer, dx.floatPointer, m, width)
            return [dx]
        }
    }

    /// Zeros of `rows` rows with each row of `source` ([m, ...]) added into row `indices[i]`: [rows, ...], as
    /// `torch.zeros(rows, ...).index_add_(0, indices, source)`.
    ///
    /// Indices may repeat (their rows add up). The gradient of each source row is the gradient of its target row.
    public static func indexAdd(_ source: Tensor, indices: Tensor, rows: Int) -> Tensor {
        precondition(indices.dtype == .int32 && indices.rank == 1 && indices.count == source.shape[0],
                     "indexAdd: indices must be int32 [\(source.shape[0])]")
        let m = source.shape[0], width = source.count / Swift.max(m, 1)
        let idx = indices.contiguous(), x = source.float32().contiguous()
        precondition(idx.indices.allSatisfy { $0 >= 0 && Int($0) < rows }, "indexAdd: an index lies outside 0..<\(rows)")
        let out = Tensor.zeros([rows] + Array(source.shape.dropFirst()))
        volt_embedding_backward_f32(x.floatPointer, idx.int32Pointer, out.floatPointer, m, width)
        let sourceShape = source.shape
        return record(out, inputs: [source], name: "indexAdd") { g in
            let dx = Tensor(uninitializedShape: sourceShape)
            _ = volt_embedding_f32(g.contiguous().floatPointer, idx.int32Pointer, dx.floatPointer, m, width, rows)
            return [dx]
        }
    }
}

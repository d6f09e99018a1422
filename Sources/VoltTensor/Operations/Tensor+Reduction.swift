import CVoltKernels

extension Tensor {
    /// Sum over `axes` (all axes when `nil`), keeping reduced dimensions with extent 1 when `keepDims`.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let reduced = Set((axes ?? Array(0..<rank)).map(axis))
        let x = float32().contiguous()
        var outShape = shape
        for a in reduced { outShape[a] = 1 }
        var current = x
        // Reduce each maximal run of adjacent axes with one kernel call over a [outer, n, inner] view.
        var a = 0
        while a < rank {
            guard reduced.contains(a) else { a += 1; continue }
            var b = a
            while b + 1 < rank && reduced.contains(b + 1) { b += 1 }
            let dims = current.shape
            let outer = dims[..<a].reduce(1, *), n = dims[a...b].reduce(1, *), inner = dims[(b + 1)...].reduce(1, *)
            var next = dims
            for i in a...b { next[i] = 1 }
            let out = Tensor(uninitializedShape: next)
            volt_reduce_sum_f32(current.floatPointer, out.floatPointer, outer, n, inner)
            current = out
            a = b + 1
        }
        let kept = keepDims ? outShape : outShape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
        let result = Tensor(storage: current.storage, shape: kept, strides: Tensor.contiguousStrides(kept),
                            offset: current.offset, dtype: .float32)
        let inputShape = shape
        return Tensor.record(result, inputs: [self], name: "sum") { g in [g.reshaped(outShape).expanded(to: inputShape)] }
    }

    /// Mean over `axes` (all axes when `nil`).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let reduced = Set((axes ?? Array(0..<rank)).map(axis))
        let n = reduced.reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) / Float(n)
    }

    /// Maximum along `axis`; the gradient goes to the first position holding the maximum. NaN is the maximum
    /// of any slice that contains one.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let ax = self.axis(axis)
        let x = float32().contiguous()
        let outer = shape[..<ax].reduce(1, *), n = shape[ax], inner = shape[(ax + 1)...].reduce(1, *)
        precondition(n > 0, "max over an empty axis")
        var keptShape = shape
        keptShape[ax] = 1
        let out = Tensor(uninitializedShape: keptShape)
        let index = Tensor(uninitializedShape: keptShape, dtype: .int32)
        volt_reduce_max_f32(x.floatPointer, out.floatPointer, index.int32Pointer, outer, n, inner)
        var resultShape = keptShape
        if !keepDims { resultShape.remove(at: ax) }
        let result = out.reshaped(resultShape)
        let inputShape = shape
        return Tensor.record(result, inputs: [self], name: "max") { g in
            let dy = g.reshaped(keptShape).contiguous()
            let dx = Tensor(uninitializedShape: inputShape)
            volt_reduce_max_backward_f32(dy.floatPointer, index.int32Pointer, dx.floatPointer, outer, n, inner)
            return [dx]
        }
    }
}

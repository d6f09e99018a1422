import CVoltKernels

extension Tensor {
    /// The same elements with another shape; one dimension may be `-1` (inferred).
    ///
    /// A view when `self` is contiguous, otherwise a contiguous copy reshaped.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let infer = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != infer }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            target[infer] = count / known
        }
        precondition(target.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if target == shape { return self }
        let base = contiguous()
        let view = Tensor(storage: base.storage, shape: target, strides: Tensor.contiguousStrides(target),
                          offset: base.offset, dtype: dtype)
        view.roundedCopy = base.roundedCopy.map { copy in withNoGrad { copy.reshaped(target) } }
        let original = shape
        return Tensor.record(view, inputs: [base], name: "reshape") { g in [g.reshaped(original)] }
    }

    /// A view with dimensions reordered: dimension `i` of the result is dimension `order[i]` of `self`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank), "bad permutation \(order) for rank \(rank)")
        let view = Tensor(storage: storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] },
                          offset: offset, dtype: dtype)
        view.roundedCopy = roundedCopy.map { copy in withNoGrad { copy.permuted(order) } }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.record(view, inputs: [self], name: "permute") { g in [g.permuted(inverse)] }
    }

    /// A view with two dimensions swapped (by default the last two).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(axis(a), axis(b))
        return permuted(order)
    }

    /// A view of `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = self.axis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax], "slice \(range) outside 0..<\(shape[ax])")
        var newShape = shape
        newShape[ax] = range.count
        let view = Tensor(storage: storage, shape: newShape, strides: strides, offset: offset + range.lowerBound * strides[ax],
                          dtype: dtype)
        let full = shape
        return Tensor.record(view, inputs: [self], name: "slice") { g in
            let out = Tensor.zeros(full)
            out.slice(axis: ax, range).assign(g)
            return [out]
        }
    }

    /// Inserts a dimension of extent 1 at `axis`.
    public func unsqueezed(_ axis: Int) -> Tensor {
        let ax = axis < 0 ? axis + rank + 1 : axis
        var s = shape
        s.insert(1, at: ax)
        return reshaped(s)
    }

    /// Removes a dimension of extent 1.
    public func squeezed(_ axis: Int) -> Tensor {
        let ax = self.axis(axis)
        precondition(shape[ax] == 1, "cannot squeeze axis \(axis) of extent \(shape[ax])")
        var s = shape
        s.remove(at: ax)
        return reshaped(s)
    }

    /// The values repeated along broadcast dimensions to fill `target` (materialized, contiguous).
    ///
    /// `self`'s shape must broadcast to `target` (NumPy rules). The gradient sums over the repeated dimensions.
    public func expanded(to target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Shape.broadcast(shape, target) == target, "cannot expand \(shape) to \(target)")
        let lead = target.count - rank
        var stepStrides = [Int](repeating: 0, count: target.count)
        for i in 0..<rank where shape[i] != 1 { stepStrides[lead + i] = strides[i] }
        let out = Tensor(uninitializedShape: target, dtype: dtype)
        let dims = target.map(Int64.init), steps = stepStrides.map(Int64.init)
        dims.withUnsafeBufferPointer { d in
            steps.withUnsafeBufferPointer { s in
                volt_strided_copy(rawPointer, out.rawPointer, Int32(target.count), d.baseAddress, s.baseAddress,
                                  dtype.byteSize)
            }
        }
        let original = shape
        return Tensor.record(out, inputs: [self], name: "expand") { g in [g.summed(toShape: original)] }
    }

    /// Copies `source`'s values into this view (in place, outside the graph). Shapes must match.
    public func assign(_ source: Tensor) {
        precondition(source.shape == shape, "assign: shape \(source.shape) into \(shape)")
        precondition(source.dtype == dtype, "assign: dtype \(source.dtype) into \(dtype)")
        roundedCopy = nil  // the values change: a half-precision copy of the old ones no longer stands for them
        let src = source.contiguous()
        if isContiguous {
            rawPointer.copyMemory(from: src.rawPointer, byteCount: count * dtype.byteSize)
            return
        }
        // Write through the view: walk its rows (last dimension) with the destination strides.
        let rows = shape.dropLast().reduce(1, *), inner = shape.last ?? 1
        let elem = dtype.byteSize
        for row in 0..<rows {
            var rem = row, off = offset
            for d in stride(from: rank - 2, through: 0, by: -1) {
                off += (rem % shape[d]) * strides[d]
                rem /= shape[d]
            }
            let innerStride = rank > 0 ? strides[rank - 1] : 1
            if innerStride == 1 {
                (storage.data + off * elem).copyMemory(from: src.rawPointer + row * inner * elem, byteCount: inner * elem)
                continue
            }
            for i in 0..<inner {
                (storage.data + (off + i * innerStride) * elem)
                    .copyMemory(from: src.rawPointer + (row * inner + i) * elem, byteCount: elem)
            }
        }
    }
}

/// Shape arithmetic shared by the operations.
enum Shape {
    /// The NumPy broadcast of two shapes.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int] {
        let n = max(a.count, b.count)
        return (0..<n).map { i in
            let x = i < n - a.count ? 1 : a[i - (n - a.count)]
            let y = i < n - b.count ? 1 : b[i - (n - b.count)]
            precondition(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
            return x == 1 ? y : x
        }
    }
}

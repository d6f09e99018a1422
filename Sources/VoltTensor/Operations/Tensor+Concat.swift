import CVoltKernels

extension Tensor {
    /// The tensors joined along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat of no tensors")
        let first = tensors[0]
        let ax = first.axis(axis)
        let dtype = first.dtype
        for t in tensors {
            precondition(t.rank == first.rank && t.dtype == dtype, "concat: rank or dtype differs")
            for d in 0..<first.rank where d != ax {
                precondition(t.shape[d] == first.shape[d], "concat: shapes \(first.shape) and \(t.shape) differ off axis \(ax)")
            }
        }
        var outShape = first.shape
        outShape[ax] = tensors.reduce(0) { $0 + $1.shape[ax] }
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        let outer = outShape[..<ax].reduce(1, *), inner = outShape[(ax + 1)...].reduce(1, *)
        let elem = dtype.byteSize
        let dstPitch = outShape[ax] * inner * elem
        var start = 0
        for t in tensors {
            let src = t.contiguous()
            let rowBytes = t.shape[ax] * inner * elem
            volt_copy_2d(src.rawPointer, rowBytes, out.rawPointer + start * inner * elem, dstPitch, outer, rowBytes)
            start += t.shape[ax]
        }
        let sizes = tensors.map { $0.shape[ax] }
        return record(out, inputs: tensors, name: "concat") { g in
            var offset = 0
            return sizes.map { size in
                defer { offset += size }
                return g.slice(axis: ax, offset..<(offset + size)).contiguous()
            }
        }
    }

    /// Views of consecutive pieces of `sizes` along `axis` (the sizes must add up to the extent).
    public func split(_ sizes: [Int], axis: Int) -> [Tensor] {
        let ax = self.axis(axis)
        precondition(sizes.reduce(0, +) == shape[ax], "split sizes \(sizes) do not add up to \(shape[ax])")
        var offset = 0
        return sizes.map { size in
            defer { offset += size }
            return slice(axis: ax, offset..<(offset + size))
        }
    }
}

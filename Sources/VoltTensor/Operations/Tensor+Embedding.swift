import CVoltKernels

extension Tensor {
    /// Rows of `weight` ([vocab, dim]) picked by the int32 `ids`: the result has shape `ids.shape + [dim]`.
    ///
    /// - Throws: ``TensorError/indexOutOfRange(operation:position:index:bound:)`` for an id outside the vocabulary.
    public static func embedding(_ ids: Tensor, weight: Tensor) throws(TensorError) -> Tensor {
        guard ids.dtype == .int32 else { throw .invalidDType(operation: "embedding", dtype: ids.dtype, expected: .int32) }
        guard weight.rank == 2 else {
            throw .invalidShape(operation: "embedding", shape: weight.shape, expected: "[vocab, dim]")
        }
        let vocab = weight.shape[0], dim = weight.shape[1]
        let idx = ids.contiguous(), w = weight.float32().contiguous()
        let out = Tensor(uninitializedShape: ids.shape + [dim])
        let bad = volt_embedding_f32(w.floatPointer, idx.int32Pointer, out.floatPointer, idx.count, dim, vocab)
        if bad >= 0 {
            throw .indexOutOfRange(operation: "embedding", position: Int(bad), index: Int(idx.int32Pointer[Int(bad)]),
                                   bound: vocab)
        }
        return record(out, inputs: [weight], name: "embedding") { g in
            let dw = Tensor.zeros([vocab, dim])
            volt_embedding_backward_f32(g.contiguous().floatPointer, idx.int32Pointer, dw.floatPointer, idx.count, dim)
            return [dw]
        }
    }
}

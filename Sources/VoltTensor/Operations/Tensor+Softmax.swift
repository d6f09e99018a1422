import CVoltKernels

extension Tensor {
    /// eˣ / Σeˣ along `axis` (computed with the maximum subtracted, so large inputs do not overflow).
    public func softmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: false) }

    /// x − log Σeˣ along `axis`.
    public func logSoftmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: true) }

    private func softmaxFamily(axis: Int, log: Bool) -> Tensor {
        let ax = self.axis(axis)
        if ax != rank - 1 {
            return transposed(ax, -1).softmaxFamily(axis: -1, log: log).transposed(ax, -1)
        }
        let x = float32().contiguous()
        let cols = shape[rank - 1], rows = count / Swift.max(cols, 1)
        let out = Tensor(uninitializedShape: shape)
        volt_softmax_f32(x.floatPointer, out.floatPointer, rows, cols, log ? 1 : 0)
        let saved = SavedTensor(out)
        return Tensor.record(out, inputs: [self], name: log ? "logSoftmax" : "softmax") { g in
            let dx = Tensor(uninitializedShape: g.shape)
            volt_softmax_backward_f32(saved.value.floatPointer, g.contiguous().floatPointer, dx.floatPointer, rows, cols,
                                      log ? 1 : 0)
            return [dx]
        }
    }
}

import CVoltKernels
import VoltTensor

/// Scales gradients so that their global L2 norm is at most `maxNorm`, as `torch.nn.utils.clip_grad_norm_`.
///
/// - Returns: the norm before clipping (inf or NaN if a gradient holds one; gradients are then left as they are).
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double) -> Double {
    let grads = parameters.compactMap(\.grad)
    let total = grads.reduce(0.0) { $0 + volt_sum_squares_f32($1.floatPointer, $1.count) }.squareRoot()
    let coefficient = maxNorm / (total + 1e-6)
    if coefficient < 1 {
        for g in grads { volt_axpby_f32(0, g.floatPointer, Float(coefficient), g.floatPointer, g.count) }
    }
    return total
}

/// Clamps every gradient element to [−value, value], as `torch.nn.utils.clip_grad_value_`.
public func clipGradValue(_ parameters: [Tensor], value: Float) {
    for g in parameters.compactMap(\.grad) {
        let p = g.floatPointer
        for i in 0..<g.count { p[i] = Swift.min(Swift.max(p[i], -value), value) }
    }
}

import Foundation
import VoltTensor

/// Adafactor (Shazeer & Stern, 2018) as `transformers.optimization.Adafactor`: factored second moments for
/// matrices (one row and one column statistic instead of a full matrix), update clipping by RMS, and by default a
/// relative step size min(1e-2, 1/√step) scaled by the parameter's RMS.
public final class Adafactor: Optimizer {
    public var parameterGroups: [ParameterGroup]
    /// Regularizers (for the squared gradient, and the floor of the parameter scale).
    public var eps: (Double, Double)
    /// Threshold on the RMS of the final update.
    public var clipThreshold: Double
    /// Exponent of the second-moment decay: β₂ₜ = 1 − t^decayRate.
    public var decayRate: Double
    /// First-moment decay, or `nil` for none.
    public var beta1: Double?
    /// Whether the learning rate is scaled by the parameter's RMS.
    public var scaleParameter: Bool
    /// Whether to use the relative (time-dependent) step size instead of the group's learning rate.
    public var relativeStep: Bool
    /// Whether the relative step warms up linearly (1e-6·t).
    public var warmupInit: Bool

    private struct Slot { var step = 0; var row: Tensor?; var col: Tensor?; var full: Tensor?; var avg: Tensor? }
    private var slots: [ObjectIdentifier: Slot] = [:]

    /// Adafactor with transformers' defaults.
    public init(_ groups: [ParameterGroup], eps: (Double, Double) = (1e-30, 1e-3), clipThreshold: Double = 1,
                decayRate: Double = -0.8, beta1: Double? = nil, scaleParameter: Bool = true, relativeStep: Bool = true,
                warmupInit: Bool = false) {
        parameterGroups = groups
        self.eps = eps
        self.clipThreshold = clipThreshold
        self.decayRate = decayRate
        self.beta1 = beta1
        self.scaleParameter = scaleParameter
        self.relativeStep = relativeStep
        self.warmupInit = warmupInit
    }

    public func step() {
        for group in parameterGroups {
            for p in group.parameters {
                guard let g = p.grad else { continue }
                update(p, grad: g.contiguous(), group: group)
            }
        }
    }

    private static func rms(_ x: UnsafeMutablePointer<Float>, _ n: Int) -> Double {
        var s = 0.0
        for i in 0..<n { s += Double(x[i]) * Double(x[i]) }
        return (s / Double(Swift.max(n, 1))).squareRoot()
    }

    private func update(_ p: Tensor, grad g: Tensor, group: ParameterGroup) {
        let key = ObjectIdentifier(p)
        var slot = slots[key] ?? Slot()
        let n = p.count
        let factored = p.rank >= 2
        let cols = p.shape.last ?? 1, rows = factored ? p.shape[p.rank - 2] : 1, mats = n / Swift.max(rows * cols, 1)
        if slot.step == 0 {
            if factored {
                slot.row = Tensor.zeros(Array(p.shape.dropLast()))
                slot.col = Tensor.zeros(Array(p.shape.dropLast(2)) + [cols])
            } else {
                slot.full = Tensor.zeros(p.shape)
            }
            if beta1 != nil { slot.avg = Tensor.zeros(p.shape) }
        }
        slot.step += 1
        let t = Double(slot.step)
        var lr = group.learningRate
        if relativeStep { lr = Swift.min(warmupInit ? 1e-6 * t : 1e-2, 1 / t.squareRoot()) }
        if scaleParameter { lr *= Swift.max(eps.1, Self.rms(p.floatPointer, n)) }
        let beta2 = 1 - Foundation.pow(t, decayRate)
        let gp = g.floatPointer, pp = p.floatPointer
        let u = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { u.deallocate() }
        if factored, let rowT = slot.row, let colT = slot.col {
            let r = rowT.floatPointer, c = colT.floatPointer
            for m in 0..<mats {
                let base = m * rows * cols
                for i in 0..<rows {  // row statistic: mean over columns of g² + eps₁
                    var s = 0.0
                    for j in 0..<cols { let v = Double(gp[base + i * cols + j]); s += v * v + eps.0 }
                    r[m * rows + i] = Float(beta2 * Double(r[m * rows + i]) + (1 - beta2) * s / Double(cols))
                }
                for j in 0..<cols {  // column statistic: mean over rows
                    var s = 0.0
                    for i in 0..<rows { let v = Double(gp[base + i * cols + j]); s += v * v + eps.0 }
                    c[m * cols + j] = Float(beta2 * Double(c[m * cols + j]) + (1 - beta2) * s / Double(rows))
                }
                let rowMean = (0..<rows).reduce(0.0) { $0 + Double(r[m * rows + $1]) } / Double(rows)
                for i in 0..<rows {
                    let ri = 1 / (Double(r[m * rows + i]) / rowMean).squareRoot()
                    for j in 0..<cols {
                        u[base + i * cols + j] = Float(ri / Double(c[m * cols + j]).squareRoot() * Double(gp[base + i * cols + j]))
                    }
                }
            }
        } else if let fullT = slot.full {
            let v = fullT.floatPointer
            for i in 0..<n {
                let gi = Double(gp[i])
                v[i] = Float(beta2 * Double(v[i]) + (1 - beta2) * (gi * gi + eps.0))
                u[i] = Float(gi / Double(v[i]).squareRoot())
            }
        }
        let scale = lr / Swift.max(1, Self.rms(u, n) / clipThreshold)
        if let b1 = beta1, let avg = slot.avg?.floatPointer {
            for i in 0..<n { avg[i] = Float(b1 * Double(avg[i]) + (1 - b1) * scale * Double(u[i])); u[i] = avg[i] }
        } else {
            for i in 0..<n { u[i] = Float(scale * Double(u[i])) }
        }
        let decay = Float(group.weightDecay * lr)
        for i in 0..<n { pp[i] = pp[i] - decay * pp[i] - u[i] }
        slots[key] = slot
    }

    public func state() -> OptimizerState {
        var tensors: [String: [String: Tensor]] = [:], scalars: [String: [String: Double]] = [:]
        for (name, p) in namedParameters {
            guard let s = slots[ObjectIdentifier(p)] else { continue }
            var entry: [String: Tensor] = [:]
            entry["exp_avg_sq_row"] = s.row
            entry["exp_avg_sq_col"] = s.col
            entry["exp_avg_sq"] = s.full
            entry["exp_avg"] = s.avg
            tensors[name] = entry
            scalars[name] = ["step": Double(s.step)]
        }
        let groups = parameterGroups.map {
            ["lr": $0.learningRate, "initial_lr": $0.initialLearningRate, "weight_decay": $0.weightDecay]
        }
        return OptimizerState(type: "Adafactor", groups: groups, tensors: tensors, scalars: scalars)
    }

    public func load(state: OptimizerState) throws(OptimizerError) {
        try state.validate(type: "Adafactor", groupCount: parameterGroups.count)
        var restored: [ObjectIdentifier: Slot] = [:]
        for (name, p) in namedParameters {
            guard let step = state.scalars[name]?["step"] else { continue }
            let cols = p.shape.last ?? 1
            var slot = Slot(step: Int(step))
            if p.rank >= 2 {
                slot.row = try state.tensor("exp_avg_sq_row", of: name, shape: Array(p.shape.dropLast()))
                slot.col = try state.tensor("exp_avg_sq_col", of: name, shape: Array(p.shape.dropLast(2)) + [cols])
            } else {
                slot.full = try state.tensor("exp_avg_sq", of: name, shape: p.shape)
            }
            slot.avg = try state.tensor("exp_avg", of: name, shape: p.shape)
            restored[ObjectIdentifier(p)] = slot
        }
        state.restoreGroups(into: &parameterGroups)
        slots = restored
    }
}

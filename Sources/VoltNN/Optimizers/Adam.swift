import Foundation
import CVoltKernels
import VoltTensor

/// Adam (Kingma & Ba) with PyTorch's formulas; `decoupledWeightDecay` makes it AdamW (Loshchilov & Hutter).
public class Adam: Optimizer {
    public var parameterGroups: [ParameterGroup]
    /// Decay rates of the first and second moment estimates.
    public var betas: (Double, Double)
    /// Added to the denominator.
    public var eps: Double
    /// Whether weight decay is decoupled from the gradient (AdamW) or added to it (Adam's L2 penalty).
    public let decoupledWeightDecay: Bool

    private var moments: [ObjectIdentifier: (m: Tensor, v: Tensor, step: Int)] = [:]

    /// Adam over parameter groups.
    public init(_ groups: [ParameterGroup], betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                decoupledWeightDecay: Bool = false) {
        parameterGroups = groups
        self.betas = betas
        self.eps = eps
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// Adam over one group of parameters.
    public convenience init(_ parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0) {
        let named = parameters.enumerated().map { ("\($0.offset)", $0.element) }
        self.init([ParameterGroup(named, learningRate: lr, weightDecay: weightDecay)], betas: betas, eps: eps)
    }

    /// The optimizer's name in checkpoints.
    public var typeName: String { decoupledWeightDecay ? "AdamW" : "Adam" }

    public func step() {
        for group in parameterGroups {
            for p in group.parameters {
                guard let g = p.grad else { continue }
                var entry = moments[ObjectIdentifier(p)] ?? (Tensor.zeros(p.shape), Tensor.zeros(p.shape), 0)
                entry.step += 1
                let bc1 = 1 - Foundation.pow(betas.0, Double(entry.step))
                let bc2 = 1 - Foundation.pow(betas.1, Double(entry.step))
                volt_adam_step_f32(p.floatPointer, g.floatPointer, entry.m.floatPointer, entry.v.floatPointer, p.count,
                                   Float(group.learningRate), Float(betas.0), Float(betas.1), Float(eps),
                                   Float(group.weightDecay), decoupledWeightDecay ? 1 : 0, Float(bc1), Float(bc2), 1)
                moments[ObjectIdentifier(p)] = entry
            }
        }
    }

    public func state() -> OptimizerState {
        var tensors: [String: [String: Tensor]] = [:], scalars: [String: [String: Double]] = [:]
        for (name, p) in namedParameters {
            guard let e = moments[ObjectIdentifier(p)] else { continue }
            tensors[name] = ["exp_avg": e.m, "exp_avg_sq": e.v]
            scalars[name] = ["step": Double(e.step)]
        }
        let groups = parameterGroups.map {
            ["lr": $0.learningRate, "initial_lr": $0.initialLearningRate, "weight_decay": $0.weightDecay,
             "beta1": betas.0, "beta2": betas.1, "eps": eps]
        }
        return OptimizerState(type: typeName, groups: groups, tensors: tensors, scalars: scalars)
    }

    public func load(state: OptimizerState) throws(OptimizerError) {
        try state.validate(type: typeName, groupCount: parameterGroups.count)
        var restored: [ObjectIdentifier: (m: Tensor, v: Tensor, step: Int)] = [:]
        for (name, p) in namedParameters {
            guard let m = try state.tensor("exp_avg", of: name, shape: p.shape),
                  let v = try state.tensor("exp_avg_sq", of: name, shape: p.shape) else { continue }
            restored[ObjectIdentifier(p)] = (m, v, Int(state.scalars[name]?["step"] ?? 0))
        }
        state.restoreGroups(into: &parameterGroups)
        moments = restored
    }
}

/// AdamW: Adam with decoupled weight decay (default 0.01, as `torch.optim.AdamW`).
public final class AdamW: Adam {
    /// AdamW over parameter groups.
    public init(_ groups: [ParameterGroup], betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8) {
        super.init(groups, betas: betas, eps: eps, decoupledWeightDecay: true)
    }

    /// AdamW over one group of parameters.
    public convenience init(_ parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0.01) {
        let named = parameters.enumerated().map { ("\($0.offset)", $0.element) }
        self.init([ParameterGroup(named, learningRate: lr, weightDecay: weightDecay)], betas: betas, eps: eps)
    }
}

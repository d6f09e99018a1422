import CVoltKernels
import VoltTensor

/// Stochastic gradient descent with optional (Nesterov) momentum, as `torch.optim.SGD`.
public final class SGD: Optimizer {
    public var parameterGroups: [ParameterGroup]
    /// Momentum factor (0 = none).
    public var momentum: Double
    /// Dampening of the momentum.
    public var dampening: Double
    /// Whether to use Nesterov momentum.
    public var nesterov: Bool

    private var buffers: [ObjectIdentifier: Tensor] = [:]

    /// SGD over parameter groups.
    public init(_ groups: [ParameterGroup], momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum needs momentum > 0 and no dampening")
        parameterGroups = groups
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }

    /// SGD over one group of parameters.
    public convenience init(_ parameters: [Tensor], lr: Double, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false) {
        let named = parameters.enumerated().map { ("\($0.offset)", $0.element) }
        self.init([ParameterGroup(named, learningRate: lr, weightDecay: weightDecay)], momentum: momentum,
                  dampening: dampening, nesterov: nesterov)
    }

    public func step() {
        for group in parameterGroups {
            for p in group.parameters {
                guard let g = p.grad else { continue }
                let key = ObjectIdentifier(p)
                let first = buffers[key] == nil
                let buffer: Tensor? = momentum == 0 ? nil : (buffers[key] ?? Tensor.zeros(p.shape))
                volt_sgd_step_f32(p.floatPointer, g.floatPointer, buffer?.floatPointer, p.count, Float(group.learningRate),
                                  Float(momentum), Float(dampening), Float(group.weightDecay), nesterov ? 1 : 0,
                                  first ? 1 : 0, 1)
                if let buffer { buffers[key] = buffer }
            }
        }
    }

    public func state() -> OptimizerState {
        var tensors: [String: [String: Tensor]] = [:]
        for (name, p) in namedParameters { if let b = buffers[ObjectIdentifier(p)] { tensors[name] = ["momentum_buffer": b] } }
        let groups = parameterGroups.map {
            ["lr": $0.learningRate, "initial_lr": $0.initialLearningRate, "weight_decay": $0.weightDecay,
             "momentum": momentum, "dampening": dampening, "nesterov": nesterov ? 1 : 0]
        }
        return OptimizerState(type: "SGD", groups: groups, tensors: tensors, scalars: [:])
    }

    public func load(state: OptimizerState) throws(OptimizerError) {
        try state.validate(type: "SGD", groupCount: parameterGroups.count)
        var restored: [ObjectIdentifier: Tensor] = [:]
        for (name, p) in namedParameters {
            if let b = try state.tensor("momentum_buffer", of: name, shape: p.shape) { restored[ObjectIdentifier(p)] = b }
        }
        state.restoreGroups(into: &parameterGroups)
        buffers = restored
    }
}

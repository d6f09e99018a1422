import VoltTensor

/// Parameters that share hyper-parameters (learning rate, weight decay), as in PyTorch's `param_groups`.
public struct ParameterGroup {
    /// The tensors updated together.
    public var parameters: [Tensor]
    /// Their names (for checkpoints), parallel to ``parameters``.
    public var names: [String]
    /// Current learning rate (schedulers change it).
    public var learningRate: Double
    /// The learning rate the group started with (schedulers scale it).
    public var initialLearningRate: Double
    /// Weight decay of this group.
    public var weightDecay: Double

    /// A group of named parameters.
    public init(_ named: [(String, Tensor)], learningRate: Double, weightDecay: Double = 0) {
        parameters = named.map(\.1)
        names = named.map(\.0)
        self.learningRate = learningRate
        self.initialLearningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// Two groups as HF Trainer makes them: weight decay on every parameter but biases and layer-norm weights.
    public static func decayAndNoDecay(_ module: Module, learningRate: Double, weightDecay: Double) -> [ParameterGroup] {
        let noDecay = Set(module.namedModules().flatMap { prefix, m -> [String] in
            m is LayerNorm ? m.namedParameters().map { prefix.isEmpty ? $0.0 : "\(prefix).\($0.0)" } : []
        })
        let all = module.namedParameters()
        let decayed = all.filter { !noDecay.contains($0.0) && !$0.0.hasSuffix("bias") }
        let plain = all.filter { noDecay.contains($0.0) || $0.0.hasSuffix("bias") }
        return [ParameterGroup(decayed, learningRate: learningRate, weightDecay: weightDecay),
                ParameterGroup(plain, learningRate: learningRate, weightDecay: 0)].filter { !$0.parameters.isEmpty }
    }
}

extension Module {
    /// This module and every sub-module with its dotted prefix ("" for `self`), depth first.
    public func namedModules() -> [(String, Module)] {
        [("", self)] + children().flatMap { key, child in
            child.namedModules().map { ($0.0.isEmpty ? key : "\(key).\($0.0)", $0.1) }
        }
    }
}

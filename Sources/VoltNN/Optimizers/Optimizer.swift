import VoltTensor

/// Updates parameters from their gradients.
///
/// Optimizers keep their per-parameter state (moments, momentum buffers) as float32 tensors named like the
/// parameters, so that checkpoints hold them by name and any world size can load them.
public protocol Optimizer: AnyObject {
    /// The parameter groups and their hyper-parameters.
    var parameterGroups: [ParameterGroup] { get set }
    /// Applies one update from the current gradients (parameters without a gradient are skipped).
    func step()
    /// A snapshot of the optimizer's state.
    func state() -> OptimizerState
    /// Restores a snapshot taken from an optimizer of the same type over the same parameter names.
    func load(state: OptimizerState) throws(OptimizerError)
}

extension Optimizer {
    /// Clears every parameter's gradient (sets it to `nil`, like `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in parameterGroups { for p in group.parameters { p.grad = nil } }
    }

    /// Every parameter with its name, across groups.
    public var namedParameters: [(String, Tensor)] {
        parameterGroups.flatMap { zip($0.names, $0.parameters).map { ($0, $1) } }
    }

    /// The learning rate of the first group.
    public var learningRate: Double { parameterGroups.first?.learningRate ?? 0 }
}

/// A serializable snapshot of an optimizer.
public struct OptimizerState {
    /// The optimizer's type name (`Adam`, `AdamW`, `SGD`, `Adafactor`).
    public var type: String
    /// Scalar hyper-parameters per group (lr, weight_decay, betas, …).
    public var groups: [[String: Double]]
    /// Per-parameter state by parameter name: tensors (`exp_avg`, …) and scalars (`step`).
    public var tensors: [String: [String: Tensor]]
    /// Per-parameter scalar state by parameter name.
    public var scalars: [String: [String: Double]]

    /// A snapshot.
    public init(type: String, groups: [[String: Double]], tensors: [String: [String: Tensor]],
                scalars: [String: [String: Double]]) {
        self.type = type
        self.groups = groups
        self.tensors = tensors
        self.scalars = scalars
    }
}

/// Errors of restoring optimizer state.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// The snapshot is of another optimizer type.
    case typeMismatch(expected: String, found: String)
    /// The snapshot's groups or parameters do not match this optimizer's.
    case layoutMismatch(String)

    public var description: String {
        switch self {
        case let .typeMismatch(expected, found): "optimizer state is for \(found), not \(expected)"
        case let .layoutMismatch(detail): "optimizer state does not fit: \(detail)"
        }
    }
}

extension OptimizerState {
    /// Restores each group's learning rates and weight decay.
    func restoreGroups(into groups: inout [ParameterGroup]) {
        for (i, g) in self.groups.enumerated() where i < groups.count {
            groups[i].learningRate = g["lr"] ?? groups[i].learningRate
            groups[i].initialLearningRate = g["initial_lr"] ?? groups[i].initialLearningRate
            groups[i].weightDecay = g["weight_decay"] ?? groups[i].weightDecay
        }
    }

    /// Checks the optimizer type and the number of groups.
    func validate(type expected: String, groupCount: Int) throws(OptimizerError) {
        guard type == expected else { throw .typeMismatch(expected: expected, found: type) }
        guard groups.count == groupCount else {
            throw .layoutMismatch("\(groups.count) parameter groups, the optimizer has \(groupCount)")
        }
    }

    /// The tensor `key` of parameter `name`, checked against `shape`.
    func tensor(_ key: String, of name: String, shape: [Int]) throws(OptimizerError) -> Tensor? {
        guard let t = tensors[name]?[key] else { return nil }
        guard t.shape == shape else { throw .layoutMismatch("\(name).\(key) has shape \(t.shape), expected \(shape)") }
        return t.clone()
    }
}

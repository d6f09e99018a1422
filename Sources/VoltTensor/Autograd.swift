import CVoltKernels

/// The recorded backward function of one operation: maps the gradient of its output to those of its inputs.
///
/// It refers to its inputs through edges — the function that produced an input, or the leaf tensor itself — so
/// the graph keeps only what backward functions saved, never the activations flowing between operations.
final class GradFunction {
    /// Where one input's gradient goes.
    enum Edge {
        /// Into a leaf's `grad`.
        case leaf(Tensor)
        /// Into the function that produced the input (shape of that input, for checking).
        case function(GradFunction, shape: [Int])
        /// Nowhere: the input does not require a gradient.
        case none
    }

    let name: String
    private(set) var edges: [Edge]
    private var backwardFunction: ((Tensor) -> [Tensor?])?

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.edges = inputs.map { input in
            guard input.requiresGrad else { return .none }
            if let f = input.gradFunction { return .function(f, shape: input.shape) }
            return .leaf(input)
        }
        self.backwardFunction = backward
    }

    /// Runs the backward function once, then releases it with everything it saved.
    func run(_ gradient: Tensor) -> [Tensor?] {
        guard let backwardFunction else {
            preconditionFailure("\(name): backward through a graph that was already freed (backward() runs once)")
        }
        let grads = backwardFunction(gradient)
        precondition(grads.count == edges.count, "\(name): \(grads.count) gradients for \(edges.count) inputs")
        self.backwardFunction = nil
        return grads
    }

    /// Drops the references to inputs once their gradients have been passed on.
    func releaseEdges() { edges = [] }
}

extension Tensor {
    /// Attaches a backward function to `output` when recording is on and any input requires a gradient.
    @discardableResult
    static func record(_ output: Tensor, inputs: [Tensor], name: String,
                       backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        differentiable(output, inputs: inputs, name: name, backward: backward)
    }

    /// Makes `output` differentiable with a hand-written backward function (like `torch.autograd.Function`).
    ///
    /// `backward` maps the gradient of `output` to one gradient per input (or `nil`) and runs with recording off.
    /// With `force`, the function is recorded even when no input requires a gradient (its backward may reach
    /// parameters by other means, as gradient checkpointing does).
    @discardableResult
    public static func differentiable(_ output: Tensor, inputs: [Tensor], name: String, force: Bool = false,
                                      backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, force || inputs.contains(where: { $0.requiresGrad }) else { return output }
        output.requiresGrad = true
        output.gradFunction = GradFunction(name: name, inputs: inputs, backward: backward)
        return output
    }

    /// Whether this tensor is a leaf of the graph (created by the user, not by an operation).
    public var isLeaf: Bool { gradFunction == nil }

    /// Computes the gradients of this tensor with respect to every leaf that requires one, adding them to each
    /// leaf's ``grad``, then frees the graph and the tensors it saved (like PyTorch's `retain_graph=False`).
    ///
    /// - Parameter gradient: the gradient of some scalar with respect to `self`; defaults to 1 for a one-element
    ///   tensor.
    public func backward(_ gradient: Tensor? = nil) {
        precondition(requiresGrad, "backward() on a tensor that does not require a gradient")
        let seed = gradient ?? {
            precondition(count == 1, "backward() without a gradient needs a one-element tensor, have \(shape)")
            return Tensor.full(shape, value: 1)
        }()
        precondition(seed.shape == shape, "gradient shape \(seed.shape) differs from tensor shape \(shape)")
        guard let root = gradFunction else {
            withNoGrad { accumulateGradient(seed) }
            return
        }
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        withNoGrad {
            for function in GradFunction.topologicalOrder(from: root).reversed() {
                var g = pending.removeValue(forKey: ObjectIdentifier(function))
                guard g != nil else { continue }
                var grads = function.run(g!)
                g = nil  // released: the gradients it was turned into may share its storage
                for (index, edge) in function.edges.enumerated() {
                    guard var ig = grads[index] else { continue }
                    grads[index] = nil  // so that `ig` may be the only reference to its gradient
                    switch edge {
                    case .none:
                        continue
                    case let .leaf(tensor):
                        precondition(ig.shape == tensor.shape,
                                     "\(function.name): gradient shape \(ig.shape) for input \(tensor.shape)")
                        // A gradient nothing else refers to, alone on its storage, becomes the leaf's first
                        // gradient as it is rather than being copied (a weight's gradient is tens of megabytes).
                        let exclusive = isKnownUniquelyReferenced(&ig) && ig.ownsItsStorage
                        tensor.accumulateGradient(ig, exclusive: exclusive)
                    case let .function(next, shape):
                        precondition(ig.shape == shape, "\(function.name): gradient shape \(ig.shape) for input \(shape)")
                        let key = ObjectIdentifier(next)
                        pending[key] = pending[key].map { $0 + ig } ?? ig
                    }
                }
                function.releaseEdges()
            }
        }
        gradFunction = nil
    }

    /// Adds `g` into ``grad`` (a private contiguous float32 copy on first use; `g`'s own storage when `exclusive`
    /// says nothing else refers to it and it is contiguous float32).
    func accumulateGradient(_ g: Tensor, exclusive: Bool = false) {
        let g32 = g.float32()
        if let existing = grad {
            let src = g32.contiguous()
            volt_axpby_f32(1, src.floatPointer, 1, existing.floatPointer, existing.count)
        } else if exclusive, g.dtype == .float32, g.offset == 0, g.isContiguous,
                  g.storage.byteCount == g.count * DType.float32.byteSize {
            grad = Tensor(storage: g.storage, shape: g.shape, strides: g.strides, dtype: .float32)
        } else {
            grad = g32.clone()
        }
        gradientHook?(self)
    }
}

extension GradFunction {
    /// Functions reachable from `root`, each after every function that feeds it.
    static func topologicalOrder(from root: GradFunction) -> [GradFunction] {
        var order: [GradFunction] = []
        var visited: Set<ObjectIdentifier> = []
        var stack: [(GradFunction, Bool)] = [(root, false)]
        while let (function, expanded) = stack.popLast() {
            if expanded { order.append(function); continue }
            guard visited.insert(ObjectIdentifier(function)).inserted else { continue }
            stack.append((function, true))
            for edge in function.edges {
                if case let .function(next, _) = edge, !visited.contains(ObjectIdentifier(next)) { stack.append((next, false)) }
            }
        }
        return order
    }
}

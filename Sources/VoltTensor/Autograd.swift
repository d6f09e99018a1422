import CVoltKernels

/// The recorded backward function of one operation: maps the gradient of its output to those of its inputs.
final class GradFunction {
    let name: String
    let inputs: [Tensor]
    let backward: (Tensor) -> [Tensor?]

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Attaches a backward function to `output` when recording is on and any input requires a gradient.
    ///
    /// `backward` receives the gradient of `output` and returns one gradient per input (shape of that input, or
    /// `nil` where none flows). It runs with recording off.
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

    /// Whether this tensor is a leaf of the graph that receives ``grad``.
    public var isLeaf: Bool { gradFunction == nil }

    /// Computes the gradients of this tensor with respect to every leaf that requires one, adding them to each
    /// leaf's ``grad``, then frees the graph (like PyTorch's `retain_graph=False`).
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

        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        withNoGrad {
            for tensor in order.reversed() {
                guard let g = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let function = tensor.gradFunction else {
                    tensor.accumulateGradient(g)
                    continue
                }
                let inputGradients = function.backward(g)
                precondition(inputGradients.count == function.inputs.count, "\(function.name): gradient count")
                for (input, ig) in zip(function.inputs, inputGradients) where input.requiresGrad {
                    guard let ig else { continue }
                    precondition(ig.shape == input.shape,
                                 "\(function.name): gradient shape \(ig.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    pending[key] = pending[key].map { $0 + ig } ?? ig
                }
                tensor.gradFunction = nil
            }
        }
    }

    /// Adds `g` into ``grad`` (a private contiguous float32 copy on first use).
    func accumulateGradient(_ g: Tensor) {
        let g32 = g.float32()
        if let existing = grad {
            let src = g32.contiguous()
            volt_axpby_f32(1, src.floatPointer, 1, existing.floatPointer, existing.count)
        } else {
            grad = g32.clone()
        }
    }

    /// Tensors reachable from `self` through recorded operations, inputs before the tensors made from them.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited: Set<ObjectIdentifier> = []
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.gradFunction?.inputs ?? [] where input.requiresGrad
                && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}

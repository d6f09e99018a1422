import VoltTensor

/// Runs `body` without keeping its intermediate activations, recomputing them in the backward pass.
///
/// Only `input` and the output are kept; the backward pass rewinds `stream` (dropout) to its state at the
/// forward pass, runs `body` again with recording on, and back-propagates through it. Gradients of parameters
/// used inside `body` go straight to their `grad`. Trades one extra forward pass for the memory of the
/// activations of `body` — per transformer layer, the usual choice.
public func checkpointed(_ input: Tensor, stream: RandomStream? = nil, _ body: @escaping (Tensor) -> Tensor) -> Tensor {
    guard GradMode.isEnabled else { return body(input) }
    let rewind = stream?.generator
    let autocast = Autocast.current  // the recomputation rounds activations as the forward pass did
    let output = withNoGrad { body(input) }
    return Tensor.differentiable(output, inputs: [input], name: "checkpoint", force: true) { g in
        let replayInput = input.detached()
        replayInput.requiresGrad = input.requiresGrad
        let resume = stream?.generator
        if let rewind { stream?.generator = rewind }
        // `replayInput * 1` is an activation, not a leaf, so autocast rounds it where the body keeps it for
        // backward, exactly as it rounded the body's input in the forward pass without checkpointing.
        let replayed = GradMode.$isEnabled.withValue(true) { withAutocast(autocast) { body(replayInput * 1) } }
        if let resume { stream?.generator = resume }
        if replayed.requiresGrad { replayed.backward(g) }
        return [replayInput.grad]
    }
}

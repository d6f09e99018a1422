import VoltNN
import VoltTensor

/// A decoder layer's feed-forward block: LLaMA's dense SwiGLU block or Mixtral's mixture of experts.
public protocol LlamaFeedForward: Module {
    /// The block's output for `x` [batch, seq, hidden], and for a mixture of experts its router logits
    /// [batch · seq, experts].
    func callAsFunction(_ x: Tensor) -> (output: Tensor, routerLogits: Tensor?)
}

/// LLaMA's SwiGLU feed-forward block: down(silu(gate(x)) ⊙ up(x)).
public final class LlamaMLP: Module, LlamaFeedForward {
    /// hidden → intermediate, through SiLU (`mlp.gate_proj`).
    public let gateProj: Linear
    /// hidden → intermediate, the linear branch (`mlp.up_proj`).
    public let upProj: Linear
    /// intermediate → hidden (`mlp.down_proj`).
    public let downProj: Linear

    init(_ c: LlamaConfiguration, generator: inout RandomGenerator) {
        let std = Float(c.initializerRange), h = c.hiddenSize, i = c.intermediateSize
        gateProj = Linear(h, i, bias: c.mlpBias, std: std, generator: &generator)
        upProj = Linear(h, i, bias: c.mlpBias, std: std, generator: &generator)
        downProj = Linear(i, h, bias: c.mlpBias, std: std, generator: &generator)
        super.init()
    }

    /// The block's output; no router logits.
    public func callAsFunction(_ x: Tensor) -> (output: Tensor, routerLogits: Tensor?) {
        (downProj(Tensor.swiGLU(gate: gateProj(x), up: upProj(x))), nil)
    }
}

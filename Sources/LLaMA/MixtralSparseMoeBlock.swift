import VoltNN
import VoltTensor

/// Mixtral's mixture of experts in place of the dense feed-forward block (transformers' `MixtralSparseMoeBlock`):
/// a linear router scores every expert per token, the `num_experts_per_tok` best (after a softmax) are kept and
/// their probabilities renormalized to sum to 1, and the token's output is the weighted sum of those experts'
/// SwiGLU outputs. Gradients reach the router through the routing weights (the choice itself has none).
public final class MixtralSparseMoeBlock: Module, LlamaFeedForward {
    /// The router, hidden → experts, without bias (`mlp.gate`).
    public let gate: Linear
    /// The experts' weights (`mlp.experts`).
    public let experts: MixtralExperts
    private let _topK: Int

    init(_ c: LlamaConfiguration, generator: inout RandomGenerator) {
        gate = Linear(c.hiddenSize, c.numLocalExperts, bias: false, std: Float(c.initializerRange), generator: &generator)
        experts = MixtralExperts(c, generator: &generator)
        _topK = c.numExpertsPerTok
        super.init()
    }

    /// The block's output for `x` [batch, seq, hidden] and the router logits [batch · seq, experts].
    public func callAsFunction(_ x: Tensor) -> (output: Tensor, routerLogits: Tensor?) {
        let shape = x.shape
        let tokens = x.reshaped([-1, shape[shape.count - 1]])
        let logits = gate(tokens)
        let (top, chosen) = logits.softmax().topK(_topK)
        let weights = top / top.sum(axes: [1], keepDims: true)
        return (experts(tokens, chosen: chosen, weights: weights).reshaped(shape), logits)
    }
}

/// Every expert's SwiGLU weights as two stacked tensors, as transformers 5 stores them (`MixtralExperts`):
/// expert e computes down_e(silu(gate_e(x)) ⊙ up_e(x)) with [gate_e; up_e] = `gate_up_proj[e]`.
public final class MixtralExperts: Module {
    /// [experts, 2 · intermediate, hidden]: each expert's gate rows, then its up rows (`mlp.experts.gate_up_proj`).
    public let gateUpProj: Tensor
    /// [experts, hidden, intermediate] (`mlp.experts.down_proj`).
    public let downProj: Tensor

    init(_ c: LlamaConfiguration, generator: inout RandomGenerator) {
        let std = Float(c.initializerRange), e = c.numLocalExperts, h = c.hiddenSize, i = c.intermediateSize
        gateUpProj = Tensor.randn([e, 2 * i, h], std: std, generator: &generator, requiresGrad: true)
        downProj = Tensor.randn([e, h, i], std: std, generator: &generator, requiresGrad: true)
        super.init()
    }

    /// Σ over each token's chosen experts of weight · expert(token): `tokens` [n, hidden], `chosen` int32 [n, k]
    /// expert indices, `weights` [n, k].
    ///
    /// Each expert runs once, on the rows of the tokens routed to it (gathered), and its weighted outputs are
    /// added back into those tokens' rows (scattered), in expert order as transformers does.
    func callAsFunction(_ tokens: Tensor, chosen: Tensor, weights: Tensor) -> Tensor {
        let n = tokens.shape[0], k = chosen.shape[1], hidden = gateUpProj.shape[2], inner = downProj.shape[2]
        let picks = chosen.indices, flatWeights = weights.reshaped([n * k, 1])
        var outputs: [Tensor] = [], targets: [Int32] = []
        for expert in 0..<gateUpProj.shape[0] {
            // Slot-major, then token order: torch.where over the expert's [k, n] mask.
            var rows: [Int32] = [], slots: [Int32] = []
            for slot in 0..<k {
                for token in 0..<n where picks[token * k + slot] == Int32(expert) {
                    rows.append(Int32(token))
                    slots.append(Int32(token * k + slot))
                }
            }
            guard !rows.isEmpty else { continue }
            let x = tokens.selectingRows(Tensor(shape: [rows.count], indices: rows))
            let gateUp = x.matmul(gateUpProj.slice(axis: 0, expert..<(expert + 1)).reshaped([2 * inner, hidden]).transposed())
            let act = gateUp.slice(axis: 1, 0..<inner).silu() * gateUp.slice(axis: 1, inner..<(2 * inner))
            let y = act.matmul(downProj.slice(axis: 0, expert..<(expert + 1)).reshaped([hidden, inner]).transposed())
            outputs.append(y * flatWeights.selectingRows(Tensor(shape: [slots.count], indices: slots)))
            targets += rows
        }
        return Tensor.indexAdd(Tensor.concat(outputs, axis: 0), indices: Tensor(shape: [targets.count], indices: targets),
                               rows: n)
    }
}

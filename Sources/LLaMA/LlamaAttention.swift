import VoltNN
import VoltTensor

/// The rotary angles of the positions one forward pass covers: [seq, headDim / 2] cosines and sines.
struct RotaryAngles {
    let cos: Tensor, sin: Tensor
}

/// Grouped-query self-attention: separate q/k/v projections, rotary embeddings over each whole head, causal
/// attention in which each key/value head serves `num_attention_heads / num_key_value_heads` query heads, and the
/// output projection (transformers' `LlamaAttention` / `MixtralAttention`, no dropout).
public final class LlamaAttention: Module {
    /// hidden → heads · headDim (`self_attn.q_proj`).
    public let qProj: Linear
    /// hidden → kvHeads · headDim (`self_attn.k_proj`).
    public let kProj: Linear
    /// hidden → kvHeads · headDim (`self_attn.v_proj`).
    public let vProj: Linear
    /// heads · headDim → hidden (`self_attn.o_proj`).
    public let oProj: Linear
    private let _heads: Int, _kvHeads: Int, _headDim: Int

    init(_ c: LlamaConfiguration, generator: inout RandomGenerator) {
        let std = Float(c.initializerRange), h = c.hiddenSize, d = c.headDim
        qProj = Linear(h, c.numAttentionHeads * d, bias: c.attentionBias, std: std, generator: &generator)
        kProj = Linear(h, c.numKeyValueHeads * d, bias: c.attentionBias, std: std, generator: &generator)
        vProj = Linear(h, c.numKeyValueHeads * d, bias: c.attentionBias, std: std, generator: &generator)
        oProj = Linear(c.numAttentionHeads * d, h, bias: c.attentionBias, std: std, generator: &generator)
        (_heads, _kvHeads, _headDim) = (c.numAttentionHeads, c.numKeyValueHeads, d)
        super.init()
    }

    /// Attends over `x` [batch, seq, hidden]; with `cache` (one sequence) over the cached positions too.
    func callAsFunction(_ x: Tensor, angles: RotaryAngles, keyMask: Tensor?, cache: LlamaKeyValueCache.Layer?) -> Tensor {
        let b = x.shape[0], s = x.shape[1]
        let q = qProj(x).reshaped([b, s, _heads, _headDim]).rotated(cos: angles.cos, sin: angles.sin)
        let k = kProj(x).reshaped([b, s, _kvHeads, _headDim]).rotated(cos: angles.cos, sin: angles.sin)
        let v = vProj(x).reshaped([b, s, _kvHeads, _headDim])
        if let cache {
            return oProj(Tensor.cachedCausalAttention(query: q, key: k, value: v, keys: cache.keys, values: cache.values,
                                                      position: cache.position))
        }
        var generator = RandomGenerator(seed: 0)  // no attention dropout: the generator is never drawn from
        return oProj(Tensor.causalAttention(query: q, key: k, value: v, keyMask: keyMask, generator: &generator))
    }
}

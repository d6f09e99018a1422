import VoltNN
import VoltTensor

/// One decoder layer with pre-norm residuals: h = x + attn(norm₁(x)); out = h + ffn(norm₂(h)).
public final class LlamaDecoderLayer: Module {
    /// The self-attention block (`self_attn`).
    public let selfAttn: LlamaAttention
    /// The feed-forward block (`mlp`): ``LlamaMLP``, or ``MixtralSparseMoeBlock`` for a mixture of experts.
    public let mlp: any LlamaFeedForward
    /// The RMS norm before attention (`input_layernorm`).
    public let inputLayernorm: RMSNorm
    /// The RMS norm before the feed-forward block (`post_attention_layernorm`).
    public let postAttentionLayernorm: RMSNorm

    init(_ c: LlamaConfiguration, generator: inout RandomGenerator) {
        selfAttn = LlamaAttention(c, generator: &generator)
        mlp = c.isMixtureOfExperts ? MixtralSparseMoeBlock(c, generator: &generator) : LlamaMLP(c, generator: &generator)
        inputLayernorm = RMSNorm(c.hiddenSize, eps: Float(c.rmsNormEps))
        postAttentionLayernorm = RMSNorm(c.hiddenSize, eps: Float(c.rmsNormEps))
        super.init()
    }

    /// The layer's output, and the router logits of a mixture of experts.
    func callAsFunction(_ x: Tensor, angles: RotaryAngles, keyMask: Tensor?,
                        cache: LlamaKeyValueCache.Layer?) -> (output: Tensor, routerLogits: Tensor?) {
        let h = x + selfAttn(inputLayernorm(x), angles: angles, keyMask: keyMask, cache: cache)
        let (ffn, routerLogits) = mlp(postAttentionLayernorm(h))
        return (h + ffn, routerLogits)
    }
}

import VoltNN
import VoltTensor

/// The decoder body (`model`): token embedding, decoder layers, final RMS norm.
public final class LlamaModel: Module {
    /// The token embedding, vocabulary → hidden (`model.embed_tokens`).
    public let embedTokens: Embedding
    /// The decoder layers, in order (`model.layers.N`).
    public let layers: [LlamaDecoderLayer]
    /// The RMS norm after the last layer (`model.norm`).
    public let norm: RMSNorm
    private let _inverseFrequencies: [Float]

    init(_ c: LlamaConfiguration, generator: inout RandomGenerator) {
        embedTokens = Embedding(c.vocabSize, c.hiddenSize, std: Float(c.initializerRange), generator: &generator)
        var layers: [LlamaDecoderLayer] = []
        for _ in 0..<c.numHiddenLayers { layers.append(LlamaDecoderLayer(c, generator: &generator)) }
        self.layers = layers
        norm = RMSNorm(c.hiddenSize, eps: Float(c.rmsNormEps))
        _inverseFrequencies = c.inverseFrequencies
        super.init()
    }

    /// The final hidden states [batch, seq, hidden] of int32 `inputIds` [batch, seq] at positions
    /// `position ..< position + seq`, and every layer's router logits (a mixture of experts; empty otherwise).
    ///
    /// Keys where `attentionMask` ([batch, seq]) is 0 are not attended to. With `cache` (one sequence, no mask),
    /// the tokens take its next positions and their keys and values are stored there; the caller advances it.
    func forward(_ inputIds: Tensor, attentionMask: Tensor?,
                 cache: LlamaKeyValueCache?) throws -> (hidden: Tensor, routerLogits: [Tensor]) {
        let start = cache?.count ?? 0
        let (cos, sin) = Tensor.rotaryTables(inverseFrequencies: _inverseFrequencies,
                                             positions: start..<(start + inputIds.shape[1]))
        let angles = RotaryAngles(cos: cos, sin: sin)
        let keyMask = attentionMask.map { $0.float32() }
        var h = try embedTokens(inputIds)
        var routerLogits: [Tensor] = []
        for (index, layer) in layers.enumerated() {
            let (output, logits) = layer(h, angles: angles, keyMask: keyMask, cache: cache?.layer(index))
            h = output
            if let logits { routerLogits.append(logits) }
        }
        return (norm(h), routerLogits)
    }
}

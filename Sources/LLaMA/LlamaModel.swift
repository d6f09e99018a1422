import VoltNN
import VoltTensor

/// The decoder body (`model`): token embedding, decoder layers, final RMS norm.
///
/// A dense model hands its decoder layers to a ``layerRunner`` when one is set (ZeRO stage 3 gathers each layer's
/// parameters around its forward and backward passes); a mixture of experts runs them itself, since its layers
/// also return router logits.
public final class LlamaModel: Module, LayeredModule {
    /// The token embedding, vocabulary → hidden (`model.embed_tokens`).
    public let embedTokens: Embedding
    /// The decoder layers, in order (`model.layers.N`).
    public let layers: [LlamaDecoderLayer]
    /// The RMS norm after the last layer (`model.norm`).
    public let norm: RMSNorm
    private let _inverseFrequencies: [Float]
    /// Runs each decoder layer when set (a strategy that shards parameters at rest); not used with a key/value
    /// cache, nor by a mixture of experts.
    public var layerRunner: (any LayerRunner)?
    /// The decoder layers of a dense model, which ``layerRunner`` runs; none for a mixture of experts.
    public var runnableLayers: [Module] { layers.contains { $0.mlp is MixtralSparseMoeBlock } ? [] : layers }

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
        let runner = cache == nil && !runnableLayers.isEmpty ? layerRunner : nil
        for (index, layer) in layers.enumerated() {
            if let runner {
                h = runner.run(layer, h, stream: nil) { layer($0, angles: angles, keyMask: keyMask, cache: nil).output }
                continue
            }
            let (output, logits) = layer(h, angles: angles, keyMask: keyMask, cache: cache?.layer(index))
            h = output
            if let logits { routerLogits.append(logits) }
        }
        return (norm(h), routerLogits)
    }
}

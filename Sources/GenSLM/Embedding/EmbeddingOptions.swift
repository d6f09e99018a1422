import Volt
/// How the hidden states of a record become its embedding.
public enum EmbeddingPooling: String, Sendable, ConfigurationChoice {
    /// The mean over the record's tokens (no padding): one vector per record and layer.
    case mean
    /// Every token's vector: a tokens × hidden matrix per record and layer.
    case none
}

/// What ``SequenceEmbedder`` computes.
public struct EmbeddingOptions: Sendable, Codable, Equatable {
    /// Layers as transformers' `hidden_states` counts them: 0 the embedding output, `numHiddenLayers` the output
    /// of the final layer norm; negative values count from the end (−1 is the last).
    public var layers: [Int]
    /// Pooling over the tokens.
    public var pooling: EmbeddingPooling
    /// Records per forward pass.
    public var batchSize: Int
    /// Also keep each record's next-codon logits, tokens × vocabulary (what the language-model head makes of the
    /// last hidden state at every position).
    public var logits: Bool

    /// Options (GenSLM's inference default: the last layer, mean-pooled, no logits).
    public init(layers: [Int] = [-1], pooling: EmbeddingPooling = .mean, batchSize: Int = 8, logits: Bool = false) {
        self.layers = layers
        self.pooling = pooling
        self.batchSize = batchSize
        self.logits = logits
    }

    /// The layers as non-negative indices into `numHiddenLayers + 1` hidden states, in the order given, each once.
    ///
    /// - Throws: ``EmbeddingError/layerOutOfRange(layer:available:)`` or ``EmbeddingError/noLayers``.
    public func resolvedLayers(numHiddenLayers: Int) throws(EmbeddingError) -> [Int] {
        guard !layers.isEmpty else { throw .noLayers }
        let available = numHiddenLayers + 1
        var resolved: [Int] = []
        for layer in layers {
            let index = layer < 0 ? available + layer : layer
            guard index >= 0, index < available else { throw .layerOutOfRange(layer: layer, available: available) }
            if !resolved.contains(index) { resolved.append(index) }
        }
        return resolved
    }
}

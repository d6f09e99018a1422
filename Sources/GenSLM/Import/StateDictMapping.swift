/// How the names of a published checkpoint become Volt's (transformers') state-dict keys.
///
/// GenSLM's Lightning checkpoints say `model.gpt_neox.layers.0.…` and `model.embed_out.weight`; DDP and
/// `torch.compile` add `module.` and `_orig_mod.`; transformers 5 calls the output `lm_head.weight`. Older
/// transformers also saved constant buffers (the causal mask `attention.bias`, `attention.masked_bias`, the
/// rotary `inv_freq`), which the model recomputes. Everything else must match exactly.
public enum StateDictMapping {
    /// Wrapper prefixes stripped from the front of a name, repeatedly and in any order.
    public static let wrapperPrefixes = ["model.", "module.", "_orig_mod."]
    /// Name endings of constant buffers, dropped.
    public static let constantBufferSuffixes = ["attention.bias", "attention.masked_bias", "rotary_emb.inv_freq"]

    /// Volt's key for `name`, or `nil` for a constant buffer that is dropped.
    public static func canonicalName(_ name: String) -> String? {
        var key = Substring(name)
        while let prefix = wrapperPrefixes.first(where: { key.hasPrefix($0) }) { key = key.dropFirst(prefix.count) }
        let stripped = String(key)
        if constantBufferSuffixes.contains(where: { stripped == $0 || stripped.hasSuffix("." + $0) }) { return nil }
        return GPTNeoX.canonicalKey(stripped)
    }

    /// The sizes that tensor shapes tell: vocabulary and width from `gpt_neox.embed_in.weight`, depth from the
    /// layer indices, feed-forward size from layer 0's `mlp.dense_h_to_4h.weight`.
    public struct InferredSizes: Codable, Sendable, Equatable, CustomStringConvertible {
        /// Vocabulary.
        public var vocabSize: Int
        /// Width.
        public var hiddenSize: Int
        /// Layers.
        public var layers: Int
        /// Feed-forward size.
        public var intermediateSize: Int

        /// The same sizes of `configuration`.
        public init(_ configuration: GPTNeoXConfiguration) {
            self.init(vocabSize: configuration.vocabSize, hiddenSize: configuration.hiddenSize,
                      layers: configuration.numHiddenLayers, intermediateSize: configuration.intermediateSize)
        }

        init(vocabSize: Int, hiddenSize: Int, layers: Int, intermediateSize: Int) {
            self.vocabSize = vocabSize
            self.hiddenSize = hiddenSize
            self.layers = layers
            self.intermediateSize = intermediateSize
        }

        public var description: String {
            "vocab \(vocabSize), hidden \(hiddenSize), layers \(layers), intermediate \(intermediateSize)"
        }
    }

    /// The sizes `shapes` (Volt's keys) imply, or `nil` when the embedding or layer 0's MLP is absent.
    public static func inferSizes(_ shapes: [String: [Int]]) -> InferredSizes? {
        guard let embedding = shapes["gpt_neox.embed_in.weight"], embedding.count == 2,
              let up = shapes["gpt_neox.layers.0.mlp.dense_h_to_4h.weight"], up.count == 2 else { return nil }
        let layerIndices = shapes.keys.compactMap { key -> Int? in
            guard key.hasPrefix("gpt_neox.layers.") else { return nil }
            return Int(key.dropFirst("gpt_neox.layers.".count).prefix { $0 != "." })
        }
        return InferredSizes(vocabSize: embedding[0], hiddenSize: embedding[1], layers: (layerIndices.max() ?? -1) + 1,
                             intermediateSize: up[0])
    }

    /// Missing, unexpected and wrongly shaped tensors of `shapes` against `configuration`'s model
    /// (`name [found] ≠ expected [shape]` for the last), each list sorted; all empty when they fit.
    public static func differences(_ shapes: [String: [Int]], duplicates: [String],
                                   configuration: GPTNeoXConfiguration) -> (missing: [String], unexpected: [String], wrongShape: [String]) {
        let expected = configuration.parameterShapes
        let expectedNames = Set(expected.map(\.name))
        let missing = expected.map(\.name).filter { shapes[$0] == nil }
        let unexpected = shapes.keys.filter { !expectedNames.contains($0) }.sorted() + duplicates.map { $0 + " (given twice)" }
        let wrongShape = expected.compactMap { name, shape -> String? in
            guard let found = shapes[name], found != shape else { return nil }
            return "\(name) \(found) ≠ expected \(shape)"
        }
        return (missing, unexpected, wrongShape)
    }
}

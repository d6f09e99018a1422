import VoltTensor

/// The rotated keys and the values of every position seen so far, per layer: what lets
/// ``LlamaForCausalLM/logits(_:cache:)`` run only new tokens through the model.
///
/// Key/value heads are stored once per query head (repeated), the layout of the attention kernel's cache.
public struct LlamaKeyValueCache {
    /// One layer's keys and values [heads, capacity, headDim], and the position the next token takes.
    struct Layer {
        let keys: Tensor, values: Tensor, position: Int
    }

    private let keys: [Tensor], values: [Tensor]
    /// Positions held.
    public private(set) var count = 0
    /// Positions it can hold.
    public let capacity: Int

    /// An empty cache for `model` holding up to `capacity` positions (at most the model's
    /// `max_position_embeddings`).
    public init(for model: LlamaForCausalLM, capacity: Int) {
        let c = model.configuration
        self.capacity = Swift.max(0, Swift.min(capacity, c.maxPositionEmbeddings))
        let shape = [c.numAttentionHeads, self.capacity, c.headDim]
        keys = (0..<c.numHiddenLayers).map { _ in Tensor.zeros(shape) }
        values = (0..<c.numHiddenLayers).map { _ in Tensor.zeros(shape) }
    }

    func layer(_ index: Int) -> Layer { Layer(keys: keys[index], values: values[index], position: count) }
    mutating func advance(by positions: Int) { count += positions }
}

extension LlamaForCausalLM {
    /// Next-token logits [1, seq, vocab] for one sequence's next tokens `inputIds` [1, seq], which take the next
    /// positions of `cache`; the cache then holds them. Equal to the matching rows of ``logits(_:attentionMask:)``
    /// over all the tokens so far (up to float rounding). Runs without recording gradients.
    ///
    /// - Throws: ``LlamaError`` for more than one sequence or more positions than the cache holds.
    public func logits(_ inputIds: Tensor, cache: inout LlamaKeyValueCache) throws -> Tensor {
        guard inputIds.rank == 2, inputIds.shape[0] == 1, inputIds.dtype == .int32 else {
            throw LlamaError.invalidInput("a key/value cache takes one int32 sequence [1, seq], have \(inputIds.shape)")
        }
        guard cache.count + inputIds.shape[1] <= cache.capacity else {
            throw LlamaError.sequenceTooLong(length: cache.count + inputIds.shape[1], maximum: cache.capacity)
        }
        let current = cache
        let logits = try withNoGrad { project(try model.forward(inputIds, attentionMask: nil, cache: current).hidden) }
        cache.advance(by: inputIds.shape[1])
        return logits
    }
}

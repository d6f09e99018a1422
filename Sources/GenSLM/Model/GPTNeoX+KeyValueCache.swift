import VoltTensor

/// The rotated keys and the values of every position seen so far, per layer: what lets
/// ``GPTNeoX/nextTokenLogits(_:cache:)`` run one new token through the model instead of the whole sequence.
public struct KeyValueCache {
    /// One layer's keys and values [heads, capacity, headDim], and the position the next token takes.
    struct Layer {
        let keys: Tensor, values: Tensor, position: Int
    }

    /// Per layer, [heads, capacity, headDim]: rotated keys, then values.
    private let keys: [Tensor], values: [Tensor]
    /// Positions held.
    public private(set) var count = 0
    /// Positions it can hold.
    public let capacity: Int

    /// An empty cache for `model` holding up to `capacity` positions (at most the model's positions).
    public init(for model: GPTNeoX, capacity: Int) {
        let c = model.configuration
        self.capacity = Swift.max(0, Swift.min(capacity, c.maxPositionEmbeddings))
        let shape = [c.numAttentionHeads, self.capacity, c.hiddenSize / c.numAttentionHeads]
        keys = (0..<c.numHiddenLayers).map { _ in Tensor.zeros(shape) }
        values = (0..<c.numHiddenLayers).map { _ in Tensor.zeros(shape) }
    }

    func layer(_ index: Int) -> Layer { Layer(keys: keys[index], values: values[index], position: count) }
    mutating func advance(by positions: Int) { count += positions }
}

extension GPTNeoX {
    /// Next-token logits [vocab] after `token`, which takes the next position of `cache`; the cache then holds it.
    ///
    /// Equal to the last row of ``logits(_:attentionMask:)`` over all the tokens so far (up to float rounding), at
    /// the cost of one position per call. Runs without recording gradients, in evaluation mode.
    public func nextTokenLogits(_ token: Int32, cache: inout KeyValueCache) throws -> [Float] {
        try logits(Tensor(shape: [1, 1], indices: [token]), cache: &cache).scalars
    }

    /// Next-token logits [1, seq, vocab] for one sequence's next tokens `inputIds` [1, seq], which take the next
    /// positions of `cache`; the cache then holds them. Equal to the matching rows of ``logits(_:attentionMask:)``
    /// over all the tokens so far (up to float rounding). Runs without recording gradients, in evaluation mode.
    public func logits(_ inputIds: Tensor, cache: inout KeyValueCache) throws -> Tensor {
        guard promptEmbeddings == nil else { throw GPTNeoXError.unsupported("cached generation with prompt tuning") }
        guard inputIds.rank == 2, inputIds.shape[0] == 1 else {
            throw GPTNeoXError.unsupported("a key/value cache over input of shape \(inputIds.shape) (one sequence, [1, seq])")
        }
        guard cache.count + inputIds.shape[1] <= cache.capacity else {
            throw GPTNeoXError.sequenceTooLong(length: cache.count + inputIds.shape[1], maximum: cache.capacity)
        }
        let wasTraining = training
        if wasTraining { eval() }
        defer { if wasTraining { train() } }
        let logits = try withNoGrad { embedOut(try gptNeox.forward(inputIds, cache: cache).lastHiddenState) }
        cache.advance(by: inputIds.shape[1])
        return logits
    }
}

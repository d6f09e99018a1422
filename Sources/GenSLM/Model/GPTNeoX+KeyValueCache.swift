import Foundation
import VoltTensor

/// The rotated keys and the values of every position seen so far, per layer: what lets
/// ``GPTNeoX/nextTokenLogits(_:cache:)`` run one new token through the model instead of the whole sequence.
public struct KeyValueCache {
    /// Per layer, [heads, capacity, headDim]: rotated keys, then values.
    private let keys: [Tensor], values: [Tensor]
    /// Positions held.
    public private(set) var count = 0
    /// Positions it can hold.
    public let capacity: Int

    /// An empty cache for `model` holding up to `capacity` positions (at most the model's positions).
    public init(for model: GPTNeoX, capacity: Int) {
        let c = model.configuration
        self.capacity = Swift.min(capacity, c.maxPositionEmbeddings)
        let shape = [c.numAttentionHeads, self.capacity, c.hiddenSize / c.numAttentionHeads]
        keys = (0..<c.numHiddenLayers).map { _ in Tensor.zeros(shape) }
        values = (0..<c.numHiddenLayers).map { _ in Tensor.zeros(shape) }
    }

    fileprivate func layer(_ index: Int) -> (keys: Tensor, values: Tensor) { (keys[index], values[index]) }
    fileprivate mutating func advance() { count += 1 }
}

extension GPTNeoX {
    /// Next-token logits [vocab] after `token`, which takes the next position of `cache`; the cache then holds it.
    ///
    /// Equal to the last row of ``logits(_:attentionMask:)`` over all the tokens so far (up to float rounding), at
    /// the cost of one position per call. Runs without recording gradients, in evaluation mode.
    public func nextTokenLogits(_ token: Int32, cache: inout KeyValueCache) throws -> [Float] {
        guard promptEmbeddings == nil else { throw GPTNeoXError.unsupported("cached generation with prompt tuning") }
        guard cache.count < cache.capacity else {
            throw GPTNeoXError.sequenceTooLong(length: cache.count + 1, maximum: cache.capacity)
        }
        let position = cache.count
        let logits = try withNoGrad {
            var h = try gptNeox.embedIn(Tensor(shape: [1, 1], indices: [token]))
            for (index, layer) in gptNeox.layers.enumerated() {
                let attended = attend(layer.attention, layer.inputLayernorm(h), position: position,
                                      cache: cache.layer(index))
                if configuration.useParallelResidual {
                    h = h + attended + layer.mlp(layer.postAttentionLayernorm(h))
                } else {
                    h = h + attended
                    h = h + layer.mlp(layer.postAttentionLayernorm(h))
                }
            }
            return embedOut(gptNeox.finalLayerNorm(h))
        }
        cache.advance()
        return logits.scalars
    }

    /// One layer's attention for the token at `position` [1, 1, hidden]: its rotated key and value join the cache,
    /// its query attends to every cached position.
    private func attend(_ attention: GPTNeoXAttention, _ x: Tensor, position: Int,
                        cache: (keys: Tensor, values: Tensor)) -> Tensor {
        let heads = configuration.numAttentionHeads, d = configuration.hiddenSize / heads
        let capacity = cache.keys.shape[1]
        let qkv = attention.queryKeyValue(x).contiguous()  // per head: q, k, v (GPT-NeoX's fused layout)
        let q = Tensor(uninitializedShape: [heads, 1, d])
        let (cosines, sines) = rotaryAngles(position: position)
        let scale = 1 / Float(d).squareRoot()
        for h in 0..<heads {
            let source = qkv.floatPointer + h * 3 * d
            let query = q.floatPointer + h * d
            let key = cache.keys.floatPointer + (h * capacity + position) * d
            query.update(from: source, count: d)
            key.update(from: source + d, count: d)
            (cache.values.floatPointer + (h * capacity + position) * d).update(from: source + 2 * d, count: d)
            for vector in [query, key] { rotate(vector, cosines: cosines, sines: sines) }
            for e in 0..<d { query[e] *= scale }
        }
        let keys = cache.keys.slice(axis: 1, 0..<(position + 1)), values = cache.values.slice(axis: 1, 0..<(position + 1))
        let weights = q.matmul(keys.transposed()).softmax(axis: -1)  // [heads, 1, position + 1]
        return attention.dense(weights.matmul(values).reshaped([1, 1, heads * d]))
    }

    /// cos and sin of position · base^(−2f / rotaryDims) for f < rotaryDims / 2, in float32 as transformers does.
    private func rotaryAngles(position: Int) -> ([Float], [Float]) {
        let rotary = configuration.rotaryDims, base = Float(configuration.rotaryEmbBase)
        let angles = (0..<(rotary / 2)).map { f in Float(position) * (1 / Foundation.pow(base, Float(2 * f) / Float(rotary))) }
        return (angles.map { Foundation.cos($0) }, angles.map { Foundation.sin($0) })
    }

    /// GPT-NeoX's rotate_half on the leading rotary dimensions of one head vector.
    private func rotate(_ x: UnsafeMutablePointer<Float>, cosines: [Float], sines: [Float]) {
        let half = cosines.count
        for f in 0..<half {
            let (a, b) = (x[f], x[f + half])
            x[f] = a * cosines[f] - b * sines[f]
            x[f + half] = b * cosines[f] + a * sines[f]
        }
    }
}

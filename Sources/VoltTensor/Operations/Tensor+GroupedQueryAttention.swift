extension Tensor {
    /// Causal grouped-query attention over separate, already rotated queries, keys and values.
    ///
    /// `query` is [batch, seq, heads, headDim]; `key` and `value` are [batch, seq, kvHeads, headDim] with `heads` a
    /// multiple of `kvHeads`: key/value head j serves query heads j·(heads/kvHeads) ..< (j+1)·(heads/kvHeads), as
    /// transformers' `repeat_kv`. Scores are q·k/√headDim; keys where `keyMask` ([batch, seq]) is 0 are ignored.
    /// The result is [batch, seq, heads · headDim]. The kernel is that of
    /// ``causalAttention(qkv:configuration:keyMask:training:generator:)`` without its rotary step; gradients flow
    /// to all three inputs (a key/value head's gradient sums over the query heads it serves).
    public static func causalAttention(query: Tensor, key: Tensor, value: Tensor, keyMask: Tensor? = nil,
                                       dropout: Float = 0, training: Bool = false,
                                       generator: inout RandomGenerator) -> Tensor {
        let qkv = fusedHeads(query: query, key: key, value: value)
        return causalAttention(qkv: qkv, configuration: AttentionConfiguration(heads: query.shape[2], rotaryDims: 0,
                                                                               dropout: dropout),
                               keyMask: keyMask, training: training, generator: &generator)
    }

    /// The attention of ``causalAttention(query:key:value:keyMask:dropout:training:generator:)`` for new tokens of
    /// one sequence at positions `position ..< position + seq`, over a key/value cache ([heads, capacity, headDim],
    /// key/value heads repeated; updated in place), as
    /// ``cachedCausalAttention(qkv:configuration:keys:values:position:)``. Inference only: not differentiable.
    public static func cachedCausalAttention(query: Tensor, key: Tensor, value: Tensor, keys: Tensor, values: Tensor,
                                             position: Int) -> Tensor {
        let qkv = withNoGrad { fusedHeads(query: query, key: key, value: value) }
        return cachedCausalAttention(qkv: qkv, configuration: AttentionConfiguration(heads: query.shape[2], rotaryDims: 0),
                                     keys: keys, values: values, position: position)
    }

    /// [batch, seq, heads · 3 · headDim] laid out per head as (q, k, v), key/value heads repeated.
    private static func fusedHeads(query: Tensor, key: Tensor, value: Tensor) -> Tensor {
        precondition(query.rank == 4 && key.rank == 4 && key.shape == value.shape,
                     "attention: query must be [batch, seq, heads, headDim], key and value [batch, seq, kvHeads, headDim]")
        let (b, s, heads, d) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let kvHeads = key.shape[2]
        precondition(key.shape[0] == b && key.shape[1] == s && key.shape[3] == d && kvHeads > 0 && heads % kvHeads == 0,
                     "attention: key/value shape \(key.shape) does not fit query shape \(query.shape)")
        func repeated(_ t: Tensor) -> Tensor {
            if kvHeads == heads { return t }
            return t.unsqueezed(3).expanded(to: [b, s, kvHeads, heads / kvHeads, d]).reshaped([b, s, heads, d])
        }
        return concat([query.unsqueezed(3), repeated(key).unsqueezed(3), repeated(value).unsqueezed(3)], axis: 3)
            .reshaped([b, s, heads * 3 * d])
    }
}

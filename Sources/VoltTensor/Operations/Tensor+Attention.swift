import CVoltKernels

/// The shape of GPT-NeoX-style causal self-attention over a fused q/k/v projection.
public struct AttentionConfiguration: Sendable, Hashable {
    /// Number of heads.
    public var heads: Int
    /// Leading dimensions of each head rotated by the rotary position embedding (even; 0 = none).
    public var rotaryDims: Int
    /// Base of the rotary frequencies.
    public var rotaryBase: Float
    /// Probability of dropping an attention weight during training.
    public var dropout: Float

    /// Describes attention.
    public init(heads: Int, rotaryDims: Int, rotaryBase: Float = 10_000, dropout: Float = 0) {
        self.heads = heads
        self.rotaryDims = rotaryDims
        self.rotaryBase = rotaryBase
        self.dropout = dropout
    }
}

extension Tensor {
    /// Causal multi-head self-attention with rotary position embeddings, computed blockwise.
    ///
    /// `qkv` is [batch, seq, heads · 3 · headDim] laid out per head as (q, k, v) — the output of GPT-NeoX's
    /// `query_key_value` projection. Scores are q·k/√headDim after rotating the first `rotaryDims` of q and k
    /// (`rotate_half` convention, positions 0 ..< seq); keys at positions where `keyMask` ([batch, seq]) is 0 are
    /// ignored. The result is [batch, seq, heads · headDim].
    ///
    /// Memory: the forward pass keeps one log-sum-exp per query; the backward pass recomputes each block's
    /// probabilities (and dropout mask, from the generator's counters). Under bfloat16 autocast, without dropout,
    /// it keeps the causal probabilities in bfloat16 instead when they take at most twice the room of q, k and v
    /// (sequences up to twelve head sizes less 128), which spares the backward pass a fifth of its products.
    public static func causalAttention(qkv: Tensor, configuration: AttentionConfiguration, keyMask: Tensor? = nil,
                                       training: Bool = false, generator: inout RandomGenerator) -> Tensor {
        precondition(qkv.rank == 3 && qkv.shape[2] % (3 * configuration.heads) == 0,
                     "causalAttention: qkv must be [batch, seq, heads * 3 * headDim], have \(qkv.shape)")
        let batch = qkv.shape[0], seq = qkv.shape[1], heads = configuration.heads
        let headDim = qkv.shape[2] / (3 * heads)
        precondition(configuration.rotaryDims % 2 == 0 && configuration.rotaryDims <= headDim,
                     "rotaryDims \(configuration.rotaryDims) must be even and at most the head size \(headDim)")
        let x = qkv.float32().contiguous()
        precondition(keyMask.map { $0.shape == [batch, seq] } ?? true, "keyMask must be [\(batch), \(seq)]")
        // A mask that hides no key (every sequence full length, as in batches of one) is dropped: the kernels then
        // skip the masking pass over every block of scores, with the same result.
        let mask = keyMask.map { $0.float32().contiguous() }.flatMap { m in
            UnsafeBufferPointer(start: m.floatPointer, count: m.count).contains(0) ? m : nil
        }
        let dropout = training ? configuration.dropout : 0
        let seed = generator.seed
        let offset = dropout > 0 ? generator.advance(by: batch * heads * seq * seq) : 0

        let out = Tensor(uninitializedShape: [batch, seq, heads * headDim])
        let lse = Tensor(uninitializedShape: [batch, heads, seq])
        func withDescriptor<R>(_ body: (UnsafePointer<volt_attention_desc>) -> R) -> R {
            var desc = volt_attention_desc(batch: batch, seq: seq, heads: heads, head_dim: headDim,
                                           rotary_dims: configuration.rotaryDims, rotary_base: configuration.rotaryBase,
                                           key_mask: mask.map { UnsafePointer($0.floatPointer) }, dropout: dropout,
                                           seed: seed, offset: offset)
            return body(&desc)
        }
        // Under bfloat16 autocast the products take bfloat16 inputs where the CPU has native kernels for them;
        // should oneDNN refuse one, the float32 kernel redoes the pass. The bfloat16 pass also writes what the
        // backward pass keeps: each head's rotated q, k and v as the products read them (in place of qkv), the
        // probabilities where they take at most twice that room, and the output's rounded copy (which also feeds
        // the next product).
        let bfloat16 = Tensor.multipliesInBFloat16 && MatMulBackends.bf16.supportsBF16
        let keepsCopies = bfloat16 && GradMode.isEnabled && Autocast.current.storage == .bfloat16
        var heads16 = keepsCopies ? Tensor(uninitializedShape: [x.count], dtype: .bfloat16) : nil
        var probs16 = keepsCopies && dropout == 0 ? withDescriptor { desc in
            let count = volt_attention_bf16_probs_count(desc)
            return count <= 2 * x.count ? Tensor(uninitializedShape: [count], dtype: .bfloat16) : nil
        } : nil
        var out16 = keepsCopies ? Tensor(uninitializedShape: out.shape, dtype: .bfloat16) : nil
        func withSaved<R>(_ body: (volt_attention_bf16_saved) -> R) -> R {
            body(volt_attention_bf16_saved(heads: heads16?.bfloat16Pointer, probs: probs16?.bfloat16Pointer))
        }
        withDescriptor { desc in
            if !bfloat16 || withSaved({ volt_attention_forward_bf16(desc, x.floatPointer, out.floatPointer,
                                                                    lse.floatPointer, $0, out16?.bfloat16Pointer) }) != 0 {
                volt_attention_forward_f32(desc, x.floatPointer, out.floatPointer, lse.floatPointer)
                (heads16, probs16, out16) = (nil, nil, nil)
            }
        }
        let savedIn = heads16 == nil ? SavedTensor(x) : nil
        if let out16 { out.roundedCopy = out16 }
        let savedOut = out16.map { SavedTensor(out, roundedCopy: $0) } ?? SavedTensor(out)
        let kept = (heads16, probs16)
        return record(out, inputs: [qkv], name: "causalAttention") { g in
            let dqkv = Tensor(uninitializedShape: x.shape)
            let dy = g.contiguous()
            // The bfloat16 pass reads what the forward pass kept as it is; the float32 pass reads float32 values.
            if bfloat16 {
                let o16 = savedOut.contiguousBFloat16
                let (in32, o32) = (savedIn?.value, o16 == nil ? savedOut.value : nil)
                let saved = volt_attention_bf16_saved(heads: kept.0?.bfloat16Pointer,
                                                      probs: kept.1?.bfloat16Pointer)
                // The projection's backward products read the gradient rounded, and its bias sums the gradient's
                // columns: make both in the same pass.
                let dqkv16 = Tensor.multipliesInBFloat16 ? Tensor(uninitializedShape: x.shape, dtype: .bfloat16) : nil
                let sums = Tensor.multipliesInBFloat16 ? Tensor(uninitializedShape: [x.shape[2]]) : nil
                let done = withDescriptor { desc in
                    volt_attention_backward_bf16(desc, in32?.floatPointer, saved, o32?.floatPointer,
                                                 o16?.bfloat16Pointer, lse.floatPointer, dy.floatPointer,
                                                 dqkv.floatPointer, dqkv16?.bfloat16Pointer, sums?.floatPointer) == 0
                }
                if done {
                    dqkv.roundedCopy = dqkv16
                    dqkv.columnSums = sums
                    return [dqkv]
                }
            }
            let input = savedIn?.value ?? withDescriptor { desc in
                let unpacked = Tensor(uninitializedShape: x.shape)
                volt_attention_bf16_unpack(desc, kept.0!.bfloat16Pointer, unpacked.floatPointer)
                return unpacked
            }
            let output = savedOut.value
            withDescriptor { desc in
                volt_attention_backward_f32(desc, input.floatPointer, output.floatPointer, lse.floatPointer,
                                            dy.floatPointer, dqkv.floatPointer)
            }
            return [dqkv]
        }
    }
}

extension Tensor {
    /// The attention of ``causalAttention(qkv:configuration:keyMask:training:generator:)`` for new tokens of one
    /// sequence at positions `position ..< position + seq`, over a key/value cache (inference: not differentiable,
    /// no dropout).
    ///
    /// `qkv` is [1, seq, heads · 3 · headDim] as there. Each new token's rotated key and its value are written into
    /// `keys` and `values` (float32 [heads, capacity, headDim], updated in place) at its position; each query then
    /// attends to every cached position up to its own, with the same rotation and scaling as the full kernel. The
    /// result is [1, seq, heads · headDim].
    public static func cachedCausalAttention(qkv: Tensor, configuration: AttentionConfiguration, keys: Tensor,
                                             values: Tensor, position: Int) -> Tensor {
        let heads = configuration.heads
        precondition(qkv.rank == 3 && qkv.shape[0] == 1 && qkv.shape[2] % (3 * heads) == 0,
                     "cachedCausalAttention: qkv must be [1, seq, heads * 3 * headDim], have \(qkv.shape)")
        let seq = qkv.shape[1], headDim = qkv.shape[2] / (3 * heads)
        precondition(keys.dtype == .float32 && keys.isContiguous && keys.shape.count == 3
                     && keys.shape[0] == heads && keys.shape[2] == headDim && values.shape == keys.shape
                     && values.dtype == .float32 && values.isContiguous,
                     "cachedCausalAttention: keys and values must be contiguous float32 [\(heads), capacity, \(headDim)]")
        precondition(position >= 0 && position + seq <= keys.shape[1],
                     "cachedCausalAttention: positions up to \(position + seq) exceed the cache's \(keys.shape[1])")
        let x = qkv.float32().contiguous()
        let out = Tensor(uninitializedShape: [1, seq, heads * headDim])
        var desc = volt_attention_desc(batch: 1, seq: seq, heads: heads, head_dim: headDim,
                                       rotary_dims: configuration.rotaryDims, rotary_base: configuration.rotaryBase,
                                       key_mask: nil, dropout: 0, seed: 0, offset: 0)
        volt_attention_cached_f32(&desc, position, x.floatPointer, keys.floatPointer, values.floatPointer,
                                  keys.shape[1], out.floatPointer)
        return out
    }
}

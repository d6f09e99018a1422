import VoltTensor

/// A padded batch of prompt–target sequences for a causal language model.
public struct TextBatch: @unchecked Sendable {
    /// Token ids, int32 [batch, seq], padded with the pad id.
    public var inputIDs: Tensor
    /// 1 for real tokens, 0 for padding, float32 [batch, seq].
    public var attentionMask: Tensor
    /// Targets, int32 [batch, seq]: the target's ids, ``TextPairExample/ignoreIndex`` on prompt and padding.
    public var labels: Tensor

    /// A batch from its tensors.
    public init(inputIDs: Tensor, attentionMask: Tensor, labels: Tensor) {
        self.inputIDs = inputIDs
        self.attentionMask = attentionMask
        self.labels = labels
    }

    /// Number of sequences.
    public var batchSize: Int { inputIDs.shape[0] }
    /// Padded length.
    public var length: Int { inputIDs.shape[1] }
    /// Non-padding tokens.
    public var tokenCount: Int { Int(attentionMask.sum().item()) }
}

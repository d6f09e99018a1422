import Volt
import VoltTensor

/// A batch of token sequences for a causal language model.
public struct TokenBatch: @unchecked Sendable {
    /// Token ids, int32 [batch, seq].
    public var inputIds: Tensor
    /// 1 for real tokens, 0 for padding, float32 [batch, seq].
    public var attentionMask: Tensor
    /// Targets, int32 [batch, seq]: the token ids, with ``ignoreIndex`` where no loss is taken (padding).
    public var labels: Tensor

    /// Labels with this value contribute no loss (PyTorch's default).
    public static let ignoreIndex: Int32 = -100

    /// A batch from its tensors.
    public init(inputIds: Tensor, attentionMask: Tensor, labels: Tensor) {
        self.inputIds = inputIds
        self.attentionMask = attentionMask
        self.labels = labels
    }

    /// Number of sequences.
    public var size: Int { inputIds.shape[0] }
    /// Length of each sequence.
    public var length: Int { inputIds.shape[1] }
}

extension TokenBatch: BatchSizeProviding, TokenCounting {
    public var batchSize: Int { size }
    /// Non-padding tokens.
    public var tokenCount: Int { Int(attentionMask.sum().item()) }
}

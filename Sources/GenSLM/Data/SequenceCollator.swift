import VoltData
import VoltTensor

/// How tokenized sequences become one ``TokenBatch``: `[PAD]` padding (to the longest of the batch, or to
/// `maxLength`), an attention mask, and causal-LM labels equal to the input ids.
public struct SequenceCollator: Sendable {
    /// Maximum tokens per sequence (the `fixed` padding length).
    public let maxLength: Int
    /// Padding of batches.
    public let padding: PaddingStrategy
    /// Whether padding positions are loss targets (GenSLM's behaviour).
    public let countPadInLoss: Bool

    /// A collator.
    public init(maxLength: Int, padding: PaddingStrategy = .dynamic, countPadInLoss: Bool = false) {
        self.maxLength = maxLength
        self.padding = padding
        self.countPadInLoss = countPadInLoss
    }

    /// Pads `items` into one batch.
    public func collate(_ items: [TokenizedSequence]) -> TokenBatch {
        let longest = items.map(\.ids.count).max() ?? 0
        let length = Swift.max(padding == .fixed ? maxLength : longest, 2)
        var ids: [Int32] = [], labels: [Int32] = [], mask: [Float] = []
        ids.reserveCapacity(items.count * length)
        labels.reserveCapacity(items.count * length)
        mask.reserveCapacity(items.count * length)
        for item in items {
            let pads = length - item.ids.count
            ids += item.ids
            ids += repeatElement(CodonTokenizer.padID, count: pads)
            labels += item.ids
            labels += repeatElement(countPadInLoss ? CodonTokenizer.padID : TokenBatch.ignoreIndex, count: pads)
            mask += repeatElement(1, count: item.ids.count)
            mask += repeatElement(0, count: pads)
        }
        let shape = [items.count, length]
        return TokenBatch(inputIds: Tensor(shape: shape, indices: ids), attentionMask: Tensor(shape: shape, scalars: mask),
                          labels: Tensor(shape: shape, indices: labels))
    }
}

extension SequenceCollator {
    /// A data loader over `data` that collates with these rules; `sampler` replaces the shuffle (e.g. a
    /// `BucketedSampler`).
    public func loader<D: Dataset>(_ data: D, batchSize: Int = 1, shuffle: Bool = false, seed: UInt64 = 0,
                                   workers: Int = 0, sampler: (any Sampler)? = nil) -> DataLoader<D, TokenBatch>
    where D.Element == TokenizedSequence {
        let collator = self
        return DataLoader(data, batchSize: batchSize, shuffle: shuffle, seed: seed, workers: workers, sampler: sampler) {
            collator.collate($0)
        }
    }
}

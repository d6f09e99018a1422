import VoltData
import VoltTensor

/// Pads ``TextPairExample``s into a ``TextBatch``: dynamically, to the longest example of the batch (rounded up
/// to `padToMultipleOf`), on the right, with `padID` in the ids, ``TextPairExample/ignoreIndex`` in the labels and
/// 0 in the attention mask — no computation is spent on a pad beyond the batch's longest example.
public struct TextCollator: Sendable {
    /// The id written at padding positions (masked out, never a target).
    public let padID: Int32
    /// The padded length is a multiple of this (1 = the longest example's length).
    public let padToMultipleOf: Int

    /// A collator.
    public init(padID: Int32, padToMultipleOf: Int = 1) {
        precondition(padToMultipleOf > 0, "padToMultipleOf must be positive")
        self.padID = padID
        self.padToMultipleOf = padToMultipleOf
    }

    /// One batch of `items`.
    public func collate(_ items: [TextPairExample]) -> TextBatch {
        let longest = items.map(\.count).max() ?? 0
        let length = max(1, (longest + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf)
        var ids: [Int32] = [], labels: [Int32] = [], mask: [Float] = []
        ids.reserveCapacity(items.count * length)
        labels.reserveCapacity(items.count * length)
        mask.reserveCapacity(items.count * length)
        for item in items {
            let pads = length - item.count
            ids += item.inputIDs
            ids += repeatElement(padID, count: pads)
            labels += item.labels
            labels += repeatElement(TextPairExample.ignoreIndex, count: pads)
            mask += repeatElement(1, count: item.count)
            mask += repeatElement(0, count: pads)
        }
        let shape = [items.count, length]
        return TextBatch(inputIDs: Tensor(shape: shape, indices: ids), attentionMask: Tensor(shape: shape, scalars: mask),
                         labels: Tensor(shape: shape, indices: labels))
    }

    /// A data loader over `data` that collates with this collator; `sampler` replaces the shuffle (e.g. a
    /// `BucketedSampler`), and the loader's `distributed(rank:worldSize:)` shards it between ranks.
    public func loader<D: Dataset>(_ data: D, batchSize: Int = 1, shuffle: Bool = false, seed: UInt64 = 0,
                                   dropLast: Bool = false, workers: Int = 0,
                                   sampler: (any Sampler)? = nil) -> DataLoader<D, TextBatch>
    where D.Element == TextPairExample {
        let collator = self
        return DataLoader(data, batchSize: batchSize, shuffle: shuffle, seed: seed, dropLast: dropLast, workers: workers,
                          sampler: sampler) { collator.collate($0) }
    }
}

/// A dataset that can tell an example's length without loading it (from an index or a length table), so a
/// ``BucketedSampler`` can group examples of similar length.
public protocol LengthAwareDataset: Dataset {
    /// The length of example `index` in the unit batches are padded in (tokens).
    func length(at index: Int) -> Int
}

extension Subset: LengthAwareDataset where Base: LengthAwareDataset {
    public func length(at index: Int) -> Int { base.length(at: indices[index]) }
}

/// A dataset that can tell an example's length without loading it (from an index or a length table), so a
/// ``BucketedSampler`` can group examples of similar length.
public protocol LengthAwareDataset: Dataset {
    /// The length of example `index` in the unit batches are padded in (tokens).
    func length(at index: Int) -> Int
    /// A function giving ``length(at:)`` of any example, for a pass that asks for many (a bucketed epoch). A
    /// dataset that reads lengths from disk can read them all in a few large sequential reads into a table that
    /// lives only as long as the function. Defaults to ``length(at:)`` itself.
    func lengthLookup() -> @Sendable (Int) -> Int
}

extension LengthAwareDataset {
    public func lengthLookup() -> @Sendable (Int) -> Int { { self.length(at: $0) } }
}

extension Subset: LengthAwareDataset where Base: LengthAwareDataset {
    public func length(at index: Int) -> Int { base.length(at: indices[index]) }

    public func lengthLookup() -> @Sendable (Int) -> Int {
        let lookup = base.lengthLookup(), indices = indices
        return { lookup(indices[$0]) }
    }
}

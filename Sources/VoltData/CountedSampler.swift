/// A sampler that knows how many indices each epoch has without drawing the epoch's order, so a loader can
/// count its batches of a million-record dataset without shuffling it.
public protocol CountedSampler: Sampler {
    /// Indices per epoch (`indices(epoch:).count` for every epoch).
    var sampleCount: Int { get }
}

extension SequentialSampler: CountedSampler {
    public var sampleCount: Int { count }
}

extension RandomSampler: CountedSampler {
    public var sampleCount: Int { count }
}

extension DistributedSampler: CountedSampler {
    public var sampleCount: Int { perRank }
}

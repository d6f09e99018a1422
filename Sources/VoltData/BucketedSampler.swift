import VoltTensor

/// Length-bucketed batching: each epoch's shuffled order is cut into windows of `windowBatches` batches, each
/// window is sorted by length (longest first, ties in shuffled order), cut into batches, and the full batches are
/// shuffled. Batches then hold examples of similar length, so dynamic padding wastes little, while the order
/// stays random at the scale of batches.
///
/// Deterministic in `seed` and the epoch number, so a resumed run (``DataLoader/batches(epoch:from:)``) sees the
/// same batches. A last, smaller batch stays last, where the loader expects it. Data-parallel: the base order is
/// a ``DistributedSampler``'s share (the same permutation on every rank, every `worldSize`-th index from
/// `rank`), bucketed within the rank; only indices and lengths are touched, never other ranks' examples.
public struct BucketedSampler: CountedSampler {
    /// Examples in the dataset.
    public let count: Int
    /// Examples per batch (the loader's batch size).
    public let batchSize: Int
    /// Batches per sorting window (K).
    public let windowBatches: Int
    /// Base seed.
    public let seed: UInt64
    /// The order before bucketing: this rank's share of a seeded shuffle.
    public let base: DistributedSampler
    /// Makes the length function of one epoch's pass (a dataset's ``LengthAwareDataset/lengthLookup()``).
    private let lengths: @Sendable () -> @Sendable (Int) -> Int

    /// A bucketed sampler over `count` examples whose lengths `length` gives.
    public init(count: Int, batchSize: Int, windowBatches: Int, seed: UInt64, rank: Int = 0, worldSize: Int = 1,
                dropLast: Bool = false, length: @escaping @Sendable (Int) -> Int) {
        self.init(count: count, batchSize: batchSize, windowBatches: windowBatches, seed: seed, rank: rank,
                  worldSize: worldSize, dropLast: dropLast, lengths: { length })
    }

    private init(count: Int, batchSize: Int, windowBatches: Int, seed: UInt64, rank: Int, worldSize: Int,
                 dropLast: Bool, lengths: @escaping @Sendable () -> @Sendable (Int) -> Int) {
        precondition(batchSize > 0 && windowBatches > 0, "batchSize and windowBatches must be positive")
        self.count = count
        self.batchSize = batchSize
        self.windowBatches = windowBatches
        self.seed = seed
        self.lengths = lengths
        base = DistributedSampler(count: count, rank: rank, worldSize: worldSize, shuffle: true, seed: seed, dropLast: dropLast)
    }

    /// A bucketed sampler over `dataset`, reading lengths from it (through its ``LengthAwareDataset/lengthLookup()``
    /// once per epoch, so a token shard set reads its length arrays sequentially rather than record by record).
    public init<D: LengthAwareDataset>(_ dataset: D, batchSize: Int, windowBatches: Int, seed: UInt64) {
        self.init(count: dataset.count, batchSize: batchSize, windowBatches: windowBatches, seed: seed, rank: 0,
                  worldSize: 1, dropLast: false, lengths: { dataset.lengthLookup() })
    }

    /// The same bucketing over `rank`'s share of `worldSize`.
    public func distributed(rank: Int, worldSize: Int, dropLast: Bool) -> BucketedSampler {
        BucketedSampler(count: count, batchSize: batchSize, windowBatches: windowBatches, seed: seed, rank: rank,
                        worldSize: worldSize, dropLast: dropLast, lengths: lengths)
    }

    public var sampleCount: Int { base.sampleCount }

    public func indices(epoch: Int) -> [Int] { Array(order(epoch: epoch)) }

    /// The epoch's bucketed order, 4 bytes per index while the dataset has under 2³² examples.
    public func order(epoch: Int) -> IndexList {
        IndexList.fitsNarrow(bound: count) ? .narrow(bucketed(UInt32.self, epoch: epoch)) : IndexList(bucketed(Int.self, epoch: epoch))
    }

    private func bucketed<T: FixedWidthInteger>(_: T.Type, epoch: Int) -> [T] {
        let order = base.order(epoch: epoch)
        let length = lengths()
        let window = batchSize * windowBatches
        var sorted: [T] = []
        sorted.reserveCapacity(order.count)
        var start = 0
        while start < order.count {
            let end = Swift.min(start + window, order.count)
            let keyed = (start..<end).map { (length: length(order[$0]), position: $0) }
            for entry in keyed.sorted(by: { $0.length != $1.length ? $0.length > $1.length : $0.position < $1.position }) {
                sorted.append(T(truncatingIfNeeded: order[entry.position]))
            }
            start = end
        }
        let full = sorted.count / batchSize
        let batchOrder = Permutation.order(count: full, seed: (seed ^ 0x9E37_79B9_7F4A_7C15) &+ UInt64(epoch))
        var result: [T] = []
        result.reserveCapacity(sorted.count)
        for b in batchOrder { result += sorted[(b * batchSize)..<((b + 1) * batchSize)] }
        result += sorted[(full * batchSize)...]
        return result
    }
}

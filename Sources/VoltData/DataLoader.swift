/// Batches a dataset for training, like `torch.utils.data.DataLoader`.
///
/// The visiting order comes from a ``Sampler`` (sequential, or a seeded shuffle per epoch); consecutive groups of
/// `batchSize` examples are turned into one batch by `collate`. With `workers > 0`, that many threads load and
/// collate batches ahead of the consumer — the order the trainer sees never changes. ``batches(epoch:from:)``
/// can start in the middle of an epoch, which is how a resumed run continues exactly where it stopped.
public struct DataLoader<D: Dataset, Batch: Sendable>: Sendable {
    /// The dataset.
    public let dataset: D
    /// Examples per batch.
    public let batchSize: Int
    /// Whether a last, smaller batch is dropped.
    public let dropLast: Bool
    /// Background loading threads (0 = load on the caller's thread).
    public let workers: Int
    /// The visiting order.
    public let sampler: any Sampler
    /// Whether the order is shuffled (the sampler is a ``RandomSampler``).
    public let shuffle: Bool
    /// Seed of the shuffle.
    public let seed: UInt64
    private let collate: @Sendable ([D.Element]) throws -> Batch

    /// A loader over `dataset`.
    public init(_ dataset: D, batchSize: Int = 1, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false,
                workers: Int = 0, sampler: (any Sampler)? = nil,
                collate: @escaping @Sendable ([D.Element]) throws -> Batch) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.workers = max(0, workers)
        self.shuffle = shuffle
        self.seed = seed
        self.sampler = sampler ?? (shuffle ? RandomSampler(count: dataset.count, seed: seed)
                                           : SequentialSampler(count: dataset.count))
        self.collate = collate
    }

    /// The same loader visiting only `rank`'s share of each epoch (``DistributedSampler``, same shuffle and seed;
    /// a ``BucketedSampler`` buckets within the rank's share).
    public func distributed(rank: Int, worldSize: Int) -> DataLoader {
        let shared: any Sampler = if let bucketed = sampler as? BucketedSampler {
            bucketed.distributed(rank: rank, worldSize: worldSize, dropLast: dropLast)
        } else {
            DistributedSampler(count: dataset.count, rank: rank, worldSize: worldSize, shuffle: shuffle, seed: seed,
                               dropLast: dropLast)
        }
        return DataLoader(dataset, batchSize: batchSize, shuffle: shuffle, seed: seed, dropLast: dropLast, workers: workers,
                          sampler: shared, collate: collate)
    }

    /// The same loader in dataset order.
    public func unshuffled() -> DataLoader {
        DataLoader(dataset, batchSize: batchSize, shuffle: false, seed: seed, dropLast: dropLast, workers: workers, collate: collate)
    }

    /// The same loader visiting only `rank`'s share, with no example repeated (``UnrepeatedDistributedSampler``):
    /// what prediction uses, so that every example is predicted exactly once.
    public func unrepeated(rank: Int, worldSize: Int) -> DataLoader {
        DataLoader(dataset, batchSize: batchSize, shuffle: shuffle, seed: seed, dropLast: dropLast, workers: workers,
                   sampler: UnrepeatedDistributedSampler(sampler, rank: rank, worldSize: worldSize), collate: collate)
    }

    /// Number of batches per epoch.
    public var batchCount: Int {
        let n = (sampler as? any CountedSampler)?.sampleCount ?? sampler.order(epoch: 0).count
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
    }

    /// Dataset indices of every batch of `epoch`.
    public func batchIndices(epoch: Int) -> [[Int]] {
        let order = sampler.order(epoch: epoch)
        return (0..<batches(in: order)).map { b in Array(order[(b * batchSize)..<min(order.count, (b + 1) * batchSize)]) }
    }

    /// The batches of `epoch`, starting with batch number `start`.
    ///
    /// The epoch's order is drawn once (``Sampler/order(epoch:)``: 4 bytes per example for a shuffle, nothing in
    /// dataset order) and each batch's indices are sliced from it when the batch is loaded, so a dataset of
    /// millions of examples costs one compact index list, not one array per batch.
    public func batches(epoch: Int, from start: Int = 0) -> BatchIterator<Batch> {
        let order = sampler.order(epoch: epoch)
        let total = batches(in: order), first = min(max(start, 0), total)
        let dataset = self.dataset, collate = self.collate, size = batchSize
        let load: @Sendable (Int) throws -> Batch = { b in
            let lower = (first + b) * size
            return try collate(order[lower..<min(order.count, lower + size)].map { try dataset.element(at: $0) })
        }
        return BatchIterator(count: total - first, workers: workers, load: load)
    }

    /// Batches made of an epoch's `order`.
    private func batches(in order: IndexList) -> Int {
        dropLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize
    }
}

/// Chooses the order in which a data loader visits a dataset in each epoch.
public protocol Sampler: Sendable {
    /// Dataset indices for `epoch`, in visiting order.
    func indices(epoch: Int) -> [Int]
    /// The same indices held compactly (``IndexList``): what data loaders draw, so that an epoch of a million
    /// records does not cost an 8-byte array. Defaults to ``indices(epoch:)``.
    func order(epoch: Int) -> IndexList
}

extension Sampler {
    public func order(epoch: Int) -> IndexList { IndexList(indices(epoch: epoch)) }
}

/// Visits 0 ..< count in order.
public struct SequentialSampler: Sampler {
    /// Dataset size.
    public let count: Int
    /// A sampler over `count` examples.
    public init(count: Int) { self.count = count }
    public func indices(epoch: Int) -> [Int] { Array(0..<count) }
    public func order(epoch: Int) -> IndexList { .identity(count: count) }
}

/// A fresh permutation every epoch, from `seed` and the epoch number (so a resumed run sees the same order).
public struct RandomSampler: Sampler {
    /// Dataset size.
    public let count: Int
    /// Base seed.
    public let seed: UInt64
    /// A sampler over `count` examples.
    public init(count: Int, seed: UInt64) {
        self.count = count
        self.seed = seed
    }
    public func indices(epoch: Int) -> [Int] { Permutation.shuffled(count: count, seed: seed &+ UInt64(epoch)) }
    public func order(epoch: Int) -> IndexList { Permutation.order(count: count, seed: seed &+ UInt64(epoch)) }
}

/// The share of one rank in data-parallel training, as `torch.utils.data.DistributedSampler`: one permutation per
/// epoch (the same on every rank), padded by repeating its start so that it divides evenly (or cut, with
/// `dropLast`), then every `worldSize`-th index from `rank`.
public struct DistributedSampler: Sampler {
    /// Dataset size.
    public let count: Int
    /// This process's rank, 0 ..< `worldSize`.
    public let rank: Int
    /// Number of processes sharing the dataset.
    public let worldSize: Int
    /// Whether each epoch draws a fresh permutation (otherwise 0 ..< count in order).
    public let shuffle: Bool
    /// Base seed of the permutation; epoch `e` uses `seed + e`, the same on every rank.
    public let seed: UInt64
    /// Whether the tail that does not divide evenly is cut instead of padded.
    public let dropLast: Bool

    /// A sampler for `rank` of `worldSize`.
    public init(count: Int, rank: Int, worldSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) {
        precondition(worldSize > 0 && rank >= 0 && rank < worldSize, "rank \(rank) outside world of \(worldSize)")
        self.count = count
        self.rank = rank
        self.worldSize = worldSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    /// Indices each rank visits per epoch.
    public var perRank: Int { dropLast ? count / worldSize : (count + worldSize - 1) / worldSize }

    public func indices(epoch: Int) -> [Int] { Array(order(epoch: epoch)) }

    /// The rank's share of the epoch's permutation: the padded order repeats the permutation from its start, so
    /// element `j` is the permutation's `(rank + j · worldSize) mod count`-th. With several ranks the share is
    /// copied out (4 bytes per index) so that a rank keeps only its own share, not the whole permutation.
    public func order(epoch: Int) -> IndexList {
        let all = shuffle ? Permutation.order(count: count, seed: seed &+ UInt64(epoch)) : .identity(count: count)
        let share = all.strided(from: rank, by: worldSize, count: perRank)
        return shuffle && worldSize > 1 ? .compact(count: share.count, bound: count) { share[$0] } : share
    }
}

/// The share of one rank in distributed prediction or evaluation, as Lightning's `UnrepeatedDistributedSampler`:
/// every `worldSize`-th index of `base`'s order from `rank`, without the padding ``DistributedSampler`` adds, so
/// each index is visited by exactly one rank (ranks may differ by one example).
public struct UnrepeatedDistributedSampler: Sampler {
    /// The order being shared out.
    public let base: any Sampler
    /// This process's rank, 0 ..< `worldSize`.
    public let rank: Int
    /// Number of processes sharing the order.
    public let worldSize: Int

    /// `rank`'s share of `base` among `worldSize` processes.
    public init(_ base: any Sampler, rank: Int, worldSize: Int) {
        precondition(worldSize > 0 && rank >= 0 && rank < worldSize, "rank \(rank) outside world of \(worldSize)")
        self.base = base
        self.rank = rank
        self.worldSize = worldSize
    }

    public func indices(epoch: Int) -> [Int] { Array(order(epoch: epoch)) }

    public func order(epoch: Int) -> IndexList {
        let order = base.order(epoch: epoch)
        return order.strided(from: rank, by: worldSize, count: rank < order.count ? (order.count - rank + worldSize - 1) / worldSize : 0)
    }
}

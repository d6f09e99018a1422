import VoltTensor

/// The reduce-scatters of one synchronizing backward pass under ZeRO-2: a bucket starts (`MPI_Ireduce_scatter`)
/// once backward has produced every gradient in it, while backward goes on.
///
/// At most ``maxInFlight`` buckets are on their way at once: starting another first waits for the oldest, keeps
/// this rank's segment of its sums (1/N of the bucket) and frees the packed copy, so the overlap costs about two
/// buckets beyond stage 2's memory. A gradient that changes after its bucket started (a parameter used twice)
/// marks the bucket stale; it is reduced again, blocking, at the end. Every rank sees the same graph, so every
/// rank starts the same buckets in the same order.
final class ReduceScatterOverlap {
    /// Packed buckets on their way at once.
    static let maxInFlight = 2

    private struct InFlight {
        var bucket: Int
        var flat: Tensor
        var shard: Tensor
        var requests: [MPIRequest]
    }

    private let key: [ObjectIdentifier]
    private let parameters: [Tensor]
    private let buckets: [ShardedBucket]
    private let communicator: MPICommunicator
    private var bucketOf: [ObjectIdentifier: Int] = [:]
    private var ready: [Set<ObjectIdentifier>]
    private var started: [Bool]
    private var stale: [Bool]
    private var inFlight: [InFlight] = []
    private var shards: [Int: Tensor] = [:]
    private var startedEarly = 0

    /// The overlap of `buckets`, the layout of `parameters`, whose gradient hooks the caller points at
    /// ``gradientReady(_:)``.
    init(parameters: [Tensor], buckets: [ShardedBucket], communicator: MPICommunicator) {
        key = parameters.map(ObjectIdentifier.init)
        self.parameters = parameters
        self.buckets = buckets
        self.communicator = communicator
        for (b, bucket) in buckets.enumerated() { for p in bucket.parameters { bucketOf[ObjectIdentifier(p)] = b } }
        ready = Array(repeating: [], count: buckets.count)
        started = Array(repeating: false, count: buckets.count)
        stale = started
    }

    /// Whether it was prepared for exactly `parameters` (the list the optimizer step reduces).
    func covers(_ parameters: [Tensor]) -> Bool { parameters.map(ObjectIdentifier.init) == key }

    /// Backward has produced (or added to) `p`'s gradient: starts its bucket once the bucket is complete.
    func gradientReady(_ p: Tensor) {
        guard let b = bucketOf[ObjectIdentifier(p)] else { return }
        if started[b] {
            stale[b] = true
        } else {
            ready[b].insert(ObjectIdentifier(p))
            if ready[b].count == buckets[b].parameters.count {
                start(b)
                startedEarly += 1
            }
        }
        for i in inFlight.indices { communicator.progress(&inFlight[i].requests) }
    }

    private func start(_ b: Int) {
        while inFlight.count >= Self.maxInFlight { complete(inFlight.removeFirst()) }
        started[b] = true
        let bucket = buckets[b]
        let flat = bucket.packedGradients()
        let shard = Tensor(uninitializedShape: [Swift.max(bucket.counts[communicator.rank], 1)])
        let request = communicator.startReduceScatterSum(flat.floatPointer, into: shard.floatPointer, counts: bucket.counts)
        inFlight.append(InFlight(bucket: b, flat: flat, shard: shard, requests: [request]))
    }

    private func complete(_ entry: InFlight) {
        var requests = entry.requests
        communicator.wait(&requests, for: "a reduce-scatter of gradients")
        shards[entry.bucket] = entry.shard  // the packed copy is freed with `entry`
    }

    private func removeHooks() { for p in parameters { p.gradientHook = nil } }

    /// Starts the buckets backward left incomplete (a missing gradient counts as zeros), waits for all, and
    /// writes this rank's averages into its parameters' gradients (dropping the others'); a stale bucket goes
    /// through `reducingStale` instead. Returns the number of buckets started during backward.
    func finish(reducingStale: (ShardedBucket) -> Void) -> Int {
        removeHooks()
        for b in buckets.indices where !started[b] { start(b) }
        while !inFlight.isEmpty { complete(inFlight.removeFirst()) }
        for (b, bucket) in buckets.enumerated() {
            if stale[b] { reducingStale(bucket); continue }
            if let shard = shards[b] { bucket.takeAverages(from: shard, rank: communicator.rank, worldSize: communicator.size) }
        }
        shards = [:]
        return startedEarly
    }

    /// Waits for what was started and drops it, leaving the gradients as backward left them.
    func discard() {
        removeHooks()
        while !inFlight.isEmpty { complete(inFlight.removeFirst()) }
        shards = [:]
    }
}

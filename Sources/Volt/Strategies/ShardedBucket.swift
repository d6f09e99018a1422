import VoltTensor

/// One bucket of parameters laid out for a reduce-scatter of their gradients and an all-gather of their values:
/// grouped by owner in rank order, so that each rank's parameters form one contiguous segment of the flat buffer.
struct ShardedBucket {
    /// The bucket's parameters, rank 0's first, each rank's in parameter order.
    var parameters: [Tensor]
    /// Each parameter's owning rank (parallel to ``parameters``).
    var owners: [Int]
    /// Gradient floats of each rank's segment.
    var counts: [Int]
    /// Parameter bytes of each rank's segment (parameters may be stored in half precision).
    var byteCounts: [Int]

    /// Floats in the whole bucket.
    var total: Int { counts.reduce(0, +) }
    /// Bytes of all the bucket's parameter values.
    var totalBytes: Int { byteCounts.reduce(0, +) }

    /// Splits `parameters` (in order) into buckets of at most `capacity` gradient floats (a larger parameter gets a
    /// bucket of its own) and lays each out by owner. Every rank computes the same layout from the same inputs.
    static func layout(_ parameters: [Tensor], capacity: Int, worldSize: Int, owner: (Tensor) -> Int) -> [ShardedBucket] {
        var buckets: [ShardedBucket] = []
        var current: [Tensor] = [], filled = 0
        func close() {
            guard !current.isEmpty else { return }
            let owned = current.map { ($0, owner($0)) }
            let sorted = (0..<worldSize).flatMap { r in owned.filter { $0.1 == r } }
            var counts = [Int](repeating: 0, count: worldSize), bytes = counts
            for (p, r) in sorted {
                counts[r] += p.count
                bytes[r] += p.count * p.dtype.byteSize
            }
            buckets.append(ShardedBucket(parameters: sorted.map(\.0), owners: sorted.map(\.1), counts: counts, byteCounts: bytes))
            current = []
            filled = 0
        }
        for p in parameters {
            if filled + p.count > capacity { close() }
            current.append(p)
            filled += p.count
        }
        close()
        return buckets
    }
}

extension ShardedBucket {
    /// Every parameter's gradient in the bucket's layout, a missing one as zeros (every rank sends the same layout).
    func packedGradients() -> Tensor {
        let flat = Tensor(uninitializedShape: [Swift.max(total, 1)])
        var offset = 0
        for p in parameters {
            if let g = p.grad { (flat.floatPointer + offset).update(from: g.floatPointer, count: g.count) }
            else { (flat.floatPointer + offset).update(repeating: 0, count: p.count) }
            offset += p.count
        }
        return flat
    }

    /// Takes the reduce-scattered sums of `rank`'s segment (`shard`) as its parameters' gradients, divided by
    /// `worldSize` as DDP averages; drops the gradients of the parameters other ranks own.
    func takeAverages(from shard: Tensor, rank: Int, worldSize: Int) {
        let scale = 1 / Float(worldSize)
        var offset = 0
        for (p, r) in zip(parameters, owners) {
            guard r == rank else { p.grad = nil; continue }
            let g = p.grad ?? Tensor.zeros(p.shape)
            FloatBuffer.axpby(scale, shard.floatPointer + offset, 0, g.floatPointer, count: g.count)
            p.grad = g
            offset += p.count
        }
    }
}

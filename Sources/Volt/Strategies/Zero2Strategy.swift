import VoltNN
import VoltTensor

/// DeepSpeed ZeRO stage 2 over MPI: data parallelism in which each rank keeps the averaged gradients and the
/// optimizer state only for the parameters it owns (the owners of ``ZeroStrategy``).
///
/// When the optimizer steps, each bucket of gradients (``DDPStrategy/bucketBytes``) is laid out by owner and
/// reduce-scattered (`MPI_Reduce_scatter`), so a rank receives the sum of only its own parameters' gradients and
/// drops the others'. On the backward pass that ends an accumulation window, each bucket's reduce-scatter starts
/// (`MPI_Ireduce_scatter`) as soon as backward has produced all its gradients, overlapping the rest of backward,
/// and the optimizer step waits for them (``DDPStrategy/bucketsOverlapped`` counts those started early). A rank
/// then unscales, checks and clips its shard (the fp16 overflow decision and the global gradient
/// norm are agreed with one all-reduce each), steps its own parameters, and the updated values are all-gathered
/// (`MPI_Allgatherv`) bucket by bucket. Accumulation micro-steps reduce nothing. Every rank still holds all
/// parameters (stage 3 would shard them too). Checkpoints are sharded as under ``ZeroStrategy``.
///
/// Results equal ``DDPStrategy``'s: each gradient element is the same sum divided by the world size (bitwise on
/// two ranks; on more, MPI may add in another order), and the clipping norm adds the same per-parameter sums in
/// the same order.
public class Zero2Strategy: ZeroStrategy {
    private var layouts: [[ObjectIdentifier]: [ShardedBucket]] = [:]
    private var overlap: ReduceScatterOverlap?

    /// The buckets of `parameters`, laid out once per parameter list.
    private func layout(_ parameters: [Tensor]) -> [ShardedBucket] {
        let key = parameters.map(ObjectIdentifier.init)
        if let buckets = layouts[key] { return buckets }
        let buckets = ShardedBucket.layout(parameters, capacity: Swift.max(bucketBytes / 4, 1), worldSize: worldSize) {
            owner($0, among: parameters)
        }
        layouts[key] = buckets
        return buckets
    }

    /// Forgets the bucket layouts (they hold the fit's parameters); they are rebuilt alike on every rank when needed.
    override public func tearDown(_ model: Module) { layouts = [:] }

    /// Before the backward pass that ends an accumulation window: each bucket's reduce-scatter starts
    /// (`MPI_Ireduce_scatter`) as soon as backward has produced every gradient in it.
    override public func prepareBackward(_ parameters: [Tensor], synchronize: Bool) {
        guard synchronize, worldSize > 1, overlap == nil else { return }
        let state = ReduceScatterOverlap(parameters: parameters, buckets: layout(parameters), communicator: communicator)
        overlap = state
        for p in parameters { p.gradientHook = { [unowned state] p in state.gradientReady(p) } }
    }

    /// Reduce-scatters the gradients: afterwards this rank holds the average of its own parameters' gradients,
    /// and no gradient for the others. Buckets started during backward are waited for; the rest start now.
    override public func reduceGradients(_ parameters: [Tensor]) {
        guard worldSize > 1 else { return }
        if let state = overlap {
            overlap = nil
            if state.covers(parameters) {
                bucketsOverlapped += state.finish(reducingStale: reduceScatter)
                return
            }
            state.discard()  // prepared for other parameters (several optimizers): reduce these as usual
        }
        for bucket in layout(parameters) { reduceScatter(bucket) }
    }

    /// All-gathers the updated parameters from their owners.
    override public func finishStep(_ parameters: [Tensor]) {
        guard worldSize > 1 else { return }
        for bucket in layout(parameters) { allGather(bucket) }
    }

    /// Reduce-scatters one bucket's gradients (a missing one counts as zeros): its owner keeps the average, as
    /// DDP computes it; the other ranks drop theirs.
    func reduceScatter(_ bucket: ShardedBucket) {
        let flat = bucket.packedGradients()
        let shard = Tensor(uninitializedShape: [Swift.max(bucket.counts[rank], 1)])
        communicator.reduceScatterSum(flat.floatPointer, into: shard.floatPointer, counts: bucket.counts)
        bucket.takeAverages(from: shard, rank: rank, worldSize: worldSize)
    }

    /// Copies each of the bucket's parameters from its owner to every rank.
    func allGather(_ bucket: ShardedBucket) {
        let mine = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bucket.byteCounts[rank], 1), alignment: 64)
        let full = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bucket.totalBytes, 1), alignment: 64)
        defer { mine.deallocate(); full.deallocate() }
        var offset = 0
        for (p, r) in zip(bucket.parameters, bucket.owners) where r == rank {
            (mine + offset).copyMemory(from: p.rawPointer, byteCount: p.count * p.dtype.byteSize)
            offset += p.count * p.dtype.byteSize
        }
        communicator.allGather(mine, into: full, byteCounts: bucket.byteCounts)
        offset = 0
        for (p, r) in zip(bucket.parameters, bucket.owners) {
            let bytes = p.count * p.dtype.byteSize
            if r != rank { p.rawPointer.copyMemory(from: full + offset, byteCount: bytes) }
            offset += bytes
        }
    }

    /// Nothing to drop: ``reduceGradients(_:)`` left this rank only its own parameters' gradients.
    override public func prepareStep(_ parameters: [Tensor]) {}

    /// Each rank checks its shard; the step is skipped on every rank when any shard overflowed.
    override public func gradientsAreFinite(_ parameters: [Tensor]) -> Bool {
        agreedFlags([allGradientsFinite(parameters)], all: true)[0]
    }

    /// The global norm from every rank's shard: one all-reduce of per-parameter sums of squares (each non-zero on
    /// its owner only), added in parameter order as `VoltNN.clipGradNorm` adds them, then each rank scales
    /// its shard.
    override public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) -> Double {
        var squares = parameters.map { p in
            owner(p, among: parameters) == rank ? p.grad.map { FloatBuffer.sumOfSquares($0.floatPointer, count: $0.count) } ?? 0 : 0
        }
        allReduceSum(&squares)
        let total = squares.reduce(0.0, +).squareRoot()
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            for g in parameters.compactMap(\.grad) { FloatBuffer.axpby(0, g.floatPointer, Float(coefficient), g.floatPointer, count: g.count) }
        }
        return total
    }
}

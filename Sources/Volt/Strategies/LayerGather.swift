/// One layer's parameters on their way to every rank: ZeRO-3's prefetch of the next layer, started
/// (`MPI_Iallgatherv`) before the current layer computes and finished just before the next one runs.
///
/// It owns its send buffer (this rank's parameters, packed) and receive buffer (the whole layer) until
/// ``finish(on:unpack:)``, which waits, copies the other ranks' parameters into place, and frees both.
final class LayerGather {
    /// The layer's index in the strategy's layer order.
    let index: Int
    /// Whether a layer was computing when the gather started (a real prefetch, overlapped with work).
    let startedDuringLayer: Bool
    private let bucket: ShardedBucket
    private let rank: Int
    private let mine: UnsafeMutableRawPointer
    private let full: UnsafeMutableRawPointer
    private var requests: [MPIRequest]
    private var finished = false

    /// Packs this rank's parameters of `bucket` and starts the all-gather.
    init(index: Int, bucket: ShardedBucket, startedDuringLayer: Bool, on communicator: MPICommunicator) {
        self.index = index
        self.bucket = bucket
        self.startedDuringLayer = startedDuringLayer
        rank = communicator.rank
        mine = .allocate(byteCount: Swift.max(bucket.byteCounts[rank], 1), alignment: 64)
        full = .allocate(byteCount: Swift.max(bucket.totalBytes, 1), alignment: 64)
        var offset = 0
        for (p, r) in zip(bucket.parameters, bucket.owners) where r == rank {
            (mine + offset).copyMemory(from: p.rawPointer, byteCount: p.count * p.dtype.byteSize)
            offset += p.count * p.dtype.byteSize
        }
        requests = [communicator.startAllGather(mine, into: full, byteCounts: bucket.byteCounts)]
    }

    /// Lets the transfer advance (Open MPI moves non-blocking collectives only inside MPI calls).
    func progress(on communicator: MPICommunicator) {
        guard !finished else { return }
        communicator.progress(&requests)
    }

    /// Waits for the gather; with `unpack`, writes the other ranks' parameters into the layer's tensors (otherwise
    /// the prefetch was not used and is dropped). Frees the buffers.
    func finish(on communicator: MPICommunicator, unpack: Bool) {
        guard !finished else { return }
        finished = true
        communicator.wait(&requests, for: "an all-gather of parameters")
        if unpack {
            var offset = 0
            for (p, r) in zip(bucket.parameters, bucket.owners) {
                let bytes = p.count * p.dtype.byteSize
                if r != rank { p.rawPointer.copyMemory(from: full + offset, byteCount: bytes) }
                offset += bytes
            }
        }
        mine.deallocate()
        full.deallocate()
    }

    deinit { precondition(finished, "a layer gather was dropped while MPI could still write its buffers") }
}

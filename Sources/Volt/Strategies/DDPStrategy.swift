import Foundation
import VoltNN
import VoltTensor

/// Distributed data parallelism over MPI (PyTorch's DDP on Open MPI): every rank holds the whole model, sees its
/// share of each epoch, and averages gradients with bucketed all-reduces — never on accumulation micro-steps.
///
/// When the trainer announces the backward pass that ends an accumulation window (``prepareBackward(_:synchronize:)``),
/// each parameter's gradient is copied into its bucket as backward produces it, and a full bucket starts a
/// non-blocking all-reduce while backward goes on; the optimizer step waits for the rest. Otherwise the buckets
/// are reduced when the optimizer steps.
public class DDPStrategy: Strategy {
    let communicator: MPICommunicator
    /// Gradient bytes per all-reduce (PyTorch's `bucket_cap_mb`, 25 MB).
    public let bucketBytes: Int

    /// The strategy over the current MPI world.
    ///
    /// - Throws: when the process was not started by an MPI launcher (call ``MPILauncher/relaunchIfNeeded(devices:arguments:)``
    ///   first, or start it with `mpirun`/`srun`).
    /// - Parameters:
    ///   - bucketBytes: gradient bytes per all-reduce bucket. Default 25 MiB.
    ///   - collectiveTimeout: seconds a blocking collective may wait for the other ranks before this rank
    ///     ends the job, naming what it waited in (a peer that hung); ≤ 0 waits forever. Default 60.
    public init(bucketBytes: Int = 25 << 20, collectiveTimeout: Double = 60) throws {
        guard let world = MPICommunicator.world else {
            throw TrainerError.misconfiguration("strategy ddp needs an MPI launcher: run under mpirun/srun, or use devices > 1 from the volt command")
        }
        communicator = world
        self.bucketBytes = bucketBytes
        world.setCollectiveTimeout(collectiveTimeout)
        let environment = ProcessInfo.processInfo.environment
        if environment["OMP_NUM_THREADS"] == nil {
            // One share of this node's cores per rank on this node (not of the whole world, which may span nodes).
            let local = Int(environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? environment["SLURM_NTASKS_PER_NODE"] ?? "") ?? world.size
            ComputeThreads.set(ProcessInfo.processInfo.activeProcessorCount / Swift.max(local, 1))
        }
    }

    /// Buckets reduced while backward was still running, since the strategy was created (for tests and logs).
    public internal(set) var bucketsOverlapped = 0
    private var overlap: OverlapState?

    public var rank: Int { communicator.rank }
    public var worldSize: Int { communicator.size }

    public func prepareBackward(_ parameters: [Tensor], synchronize: Bool) {
        guard synchronize, worldSize > 1, overlap == nil else { return }
        let state = OverlapState(parameters: parameters.reversed(), capacity: Swift.max(bucketBytes / 4, 1))
        overlap = state
        for p in parameters {
            p.gradientHook = { [unowned self, unowned state] p in
                if state.gradientReady(p) { state.launch(state.bucketIndex(of: p), on: self.communicator) }
                self.communicator.progress(&state.requests)
            }
        }
    }

    public func reduceGradients(_ parameters: [Tensor]) {
        guard worldSize > 1 else { return }
        if let state = overlap {
            overlap = nil
            bucketsOverlapped += state.finish(on: communicator, worldSize: worldSize)
            return
        }
        let capacity = Swift.max(bucketBytes / 4, 1)
        var bucket: [Tensor] = []
        var filled = 0
        for p in parameters {
            if p.grad == nil { p.grad = Tensor.zeros(p.shape) }  // every rank must contribute the same layout
            if filled + p.count > capacity && !bucket.isEmpty {
                reduce(bucket, count: filled)
                bucket = []
                filled = 0
            }
            bucket.append(p)
            filled += p.count
        }
        if !bucket.isEmpty { reduce(bucket, count: filled) }
    }

    /// All-reduces one bucket through a flat buffer and divides by the world size.
    private func reduce(_ bucket: [Tensor], count: Int) {
        let flat = Tensor(uninitializedShape: [count])
        var offset = 0
        for p in bucket {
            guard let g = p.grad else { continue }
            (flat.floatPointer + offset).update(from: g.floatPointer, count: g.count)
            offset += g.count
        }
        communicator.allReduceSum(flat.floatPointer, count: count)
        let scale = 1 / Float(worldSize)
        offset = 0
        for p in bucket {
            guard let g = p.grad else { continue }
            FloatBuffer.axpby(scale, flat.floatPointer + offset, 0, g.floatPointer, count: g.count)
            offset += g.count
        }
    }

    public func broadcast(_ tensors: [Tensor]) {
        for t in tensors { communicator.broadcast(t.rawPointer, byteCount: t.count * t.dtype.byteSize, root: 0) }
    }

    public func allReduceSum(_ values: inout [Double]) { communicator.allReduceSum(&values) }

    public func barrier() { communicator.barrier() }

    public func barrierWhileWriting() { communicator.withLenientCollectiveTimeout { communicator.barrier() } }

    public func abort(_ error: any Error) -> Never { communicator.abort("\(error)") }

    public func prepareStep(_ parameters: [Tensor]) {}
    public func finishStep(_ parameters: [Tensor]) {}
    public func gatherOptimizerState(_ optimizer: any Optimizer) -> OptimizerState { optimizer.state() }
    public func localOptimizerState(_ state: OptimizerState, for optimizer: any Optimizer) -> OptimizerState { state }
    public func gradientsAreFinite(_ parameters: [Tensor]) -> Bool { allGradientsFinite(parameters) }
    public var shardsCheckpoints: Bool { false }
    public func setUp(_ model: Module, parameters: [Tensor]) {}
    public func tearDown(_ model: Module) {}
    public func withFullParameters<T>(_ body: () throws -> T) rethrows -> T { try body() }
    public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) -> Double { clipGradNorm(parameters, maxNorm: maxNorm) }

    public func allGather(_ values: [UInt64]) -> [[UInt64]] {
        (0..<worldSize).map { root in
            var buffer = root == rank ? values : [UInt64](repeating: 0, count: values.count)
            buffer.withUnsafeMutableBytes { communicator.broadcast($0.baseAddress!, byteCount: $0.count, root: root) }
            return buffer
        }
    }
}

/// Buckets of one synchronizing backward pass: flat buffers filled as gradients arrive, reduced asynchronously.
final class OverlapState {
    struct Bucket {
        var parameters: [Tensor]
        var offsets: [Int]
        var flat: Tensor
        var ready: Set<ObjectIdentifier> = []
        var launched = false
        /// A gradient changed after the bucket was sent: it is reduced again at the end.
        var stale = false
    }

    var buckets: [Bucket] = []
    var location: [ObjectIdentifier: Int] = [:]
    var requests: [MPIRequest] = []
    private var launchedEarly = 0

    /// Buckets of at most `capacity` floats, in the order backward produces gradients (reverse of `parameters`).
    init(parameters: [Tensor], capacity: Int) {
        var current: [Tensor] = [], filled = 0
        func close() {
            guard !current.isEmpty else { return }
            var offsets: [Int] = [], offset = 0
            for p in current { offsets.append(offset); offset += p.count }
            for p in current { location[ObjectIdentifier(p)] = buckets.count }
            buckets.append(Bucket(parameters: current, offsets: offsets, flat: Tensor.zeros([offset])))
            current = []
            filled = 0
        }
        for p in parameters {
            if filled + p.count > capacity { close() }
            current.append(p)
            filled += p.count
        }
        close()
    }

    func bucketIndex(of p: Tensor) -> Int { location[ObjectIdentifier(p)] ?? 0 }

    /// Copies `p`'s gradient into its bucket; true when that completes the bucket.
    func gradientReady(_ p: Tensor) -> Bool {
        guard let b = location[ObjectIdentifier(p)], let g = p.grad,
              let slot = buckets[b].parameters.firstIndex(where: { $0 === p }) else { return false }
        if buckets[b].launched { buckets[b].stale = true; return false }
        (buckets[b].flat.floatPointer + buckets[b].offsets[slot]).update(from: g.floatPointer, count: g.count)
        buckets[b].ready.insert(ObjectIdentifier(p))
        return buckets[b].ready.count == buckets[b].parameters.count
    }

    func launch(_ b: Int, on communicator: MPICommunicator) {
        guard !buckets[b].launched else { return }
        buckets[b].launched = true
        launchedEarly += 1
        requests.append(communicator.startAllReduceSum(buckets[b].flat.floatPointer, count: buckets[b].flat.count))
    }

    /// Launches what backward did not complete (parameters without gradients count as zeros), waits, re-reduces
    /// stale buckets, and writes the averages back. Returns the number of buckets reduced during backward.
    func finish(on communicator: MPICommunicator, worldSize: Int) -> Int {
        let early = launchedEarly
        for b in buckets.indices where !buckets[b].launched {
            for (slot, p) in buckets[b].parameters.enumerated() where !buckets[b].ready.contains(ObjectIdentifier(p)) {
                let target = buckets[b].flat.floatPointer + buckets[b].offsets[slot]
                if let g = p.grad { target.update(from: g.floatPointer, count: g.count) } else { target.update(repeating: 0, count: p.count) }
            }
            buckets[b].launched = true
            requests.append(communicator.startAllReduceSum(buckets[b].flat.floatPointer, count: buckets[b].flat.count))
        }
        communicator.wait(&requests)
        for b in buckets.indices where buckets[b].stale {
            for (slot, p) in buckets[b].parameters.enumerated() {
                if let g = p.grad { (buckets[b].flat.floatPointer + buckets[b].offsets[slot]).update(from: g.floatPointer, count: g.count) }
            }
            communicator.allReduceSum(buckets[b].flat.floatPointer, count: buckets[b].flat.count)
        }
        let scale = 1 / Float(worldSize)
        for bucket in buckets {
            for (slot, p) in bucket.parameters.enumerated() {
                if p.grad == nil { p.grad = Tensor.zeros(p.shape) }
                if let g = p.grad { FloatBuffer.axpby(scale, bucket.flat.floatPointer + bucket.offsets[slot], 0, g.floatPointer, count: g.count) }
                p.gradientHook = nil
            }
        }
        return early
    }
}

import Glibc
import VoltNN
import VoltTensor

/// DeepSpeed ZeRO stage 3 (PyTorch FSDP) over MPI: ``Zero2Strategy`` with the parameters of each layer sharded at
/// rest as well.
///
/// Each trainable parameter of a layer lives whole on its owner only; on the other ranks its pages are handed back
/// to the system (`madvise(MADV_DONTNEED)`), so at rest a rank holds about 1/N of the layers' parameters. A model
/// opts in by being a `LayeredModule`; the strategy becomes its `LayerRunner`:
/// - forward: the layer's parameters are all-gathered (`MPI_Allgatherv`), the layer runs without recording its
///   graph, and the parameters are released;
/// - backward: they are gathered again, the layer's forward is recomputed with recording on (as gradient
///   checkpointing does, dropout replayed), back-propagated, its gradients reduce-scattered to their owners (on
///   every micro-step: a rank keeps no full gradient of a layer), and the parameters released.
/// Parameters outside the layers (embeddings, final norm, head) are kept whole and handled as under stage 2.
///
/// Prefetch: as a layer starts, the gather of the layer expected next (the following one in the forward pass,
/// the preceding one in the backward pass) is started without blocking (`MPI_Iallgatherv`)
/// and finished just before that layer runs; during the backward pass the layer's gradient hooks let the transfer
/// advance. So at most two layers are gathered at once, each released after use. When the next layer is not the
/// one expected, the prefetched parameters are dropped and that layer is gathered as before.
///
/// Costs: two all-gathers of every layer's parameters per step (three with validation), one recomputed forward
/// pass, and one reduce-scatter per layer per micro-step; in exchange the peak holds two layers' full parameters
/// and one layer's gradients, plus the activations of one layer at a time. Results equal DDP's to rounding:
/// gradients are averaged on each micro-step and added across micro-steps (DDP adds, then averages).
public final class Zero3Strategy: Zero2Strategy, LayerRunner {
    /// Each layer's trainable parameters, laid out by owner, in model order.
    private var layers: [(layer: ObjectIdentifier, bucket: ShardedBucket)] = []
    private var indexOfLayer: [ObjectIdentifier: Int] = [:]
    private var sharded: Set<ObjectIdentifier> = []
    private var hosts: [any LayeredModule] = []
    /// The prefetched layer whose gather is in flight.
    private var inFlight: LayerGather?
    /// The layer computing now (its forward pass, or its recomputation and backward pass).
    private var computing: Int?
    /// Layers whose parameters are whole on this rank or on their way.
    private var gathered = 0

    /// Layer gathers started while the previous layer was computing and used by the layer they were started
    /// for, since the strategy was created (for tests and logs).
    public private(set) var prefetchedLayerGathers = 0
    /// Layer gathers that nothing prefetched: started and waited for right before the layer ran.
    public private(set) var blockingLayerGathers = 0
    /// The most layers that were gathered (or on their way) at once.
    public private(set) var mostLayersGathered = 0

    /// Parameters released on this rank (owned by another), for tests and logs.
    public var releasedParameterCount: Int {
        layers.reduce(0) { n, entry in n + zip(entry.bucket.parameters, entry.bucket.owners).filter { $0.1 != rank }.count }
    }

    /// Assigns owners over the optimized parameters (then any other trainable one), installs itself as the runner
    /// of every `LayeredModule`, and releases the layer parameters other ranks own.
    override public func setUp(_ model: Module, parameters: [Tensor]) {
        guard worldSize > 1, layers.isEmpty else { return }
        for p in parameters { _ = owner(p, among: parameters) }
        let all = model.parameters
        hosts = model.layeredModules()
        for host in hosts {
            host.layerRunner = self
            for layer in host.runnableLayers where !layer.parameters.isEmpty {
                let bucket = ShardedBucket.layout(layer.parameters, capacity: Int.max, worldSize: worldSize) {
                    owner($0, among: all)
                }[0]
                indexOfLayer[ObjectIdentifier(layer)] = layers.count
                layers.append((ObjectIdentifier(layer), bucket))
                for p in bucket.parameters { sharded.insert(ObjectIdentifier(p)) }
            }
        }
        for entry in layers { release(entry.bucket) }
    }

    /// Gathers every layer's parameters back on every rank and uninstalls itself.
    override public func tearDown(_ model: Module) {
        dropPrefetch()
        for entry in layers { allGather(entry.bucket) }
        for host in hosts { host.layerRunner = nil }
        layers = []
        indexOfLayer = [:]
        sharded = []
        hosts = []
        super.tearDown(model)
    }

    override public func withFullParameters<T>(_ body: () throws -> T) rethrows -> T {
        dropPrefetch()
        for entry in layers { allGather(entry.bucket) }
        defer { for entry in layers { release(entry.bucket) } }
        return try body()
    }

    /// The parameters outside the layers are reduce-scattered as under stage 2, overlapped with backward; the
    /// layers' own are reduce-scattered by each layer's backward pass.
    override public func prepareBackward(_ parameters: [Tensor], synchronize: Bool) {
        super.prepareBackward(parameters.filter { !sharded.contains(ObjectIdentifier($0)) }, synchronize: synchronize)
    }

    /// Layers' gradients were reduce-scattered during backward; the rest as under stage 2.
    override public func reduceGradients(_ parameters: [Tensor]) {
        dropPrefetch()
        super.reduceGradients(parameters.filter { !sharded.contains(ObjectIdentifier($0)) })
    }

    /// Owners keep their updated layer parameters (the others gather them before the next use); the rest are
    /// all-gathered as under stage 2.
    override public func finishStep(_ parameters: [Tensor]) {
        super.finishStep(parameters.filter { !sharded.contains(ObjectIdentifier($0)) })
    }

    public func run(_ layer: Module, _ input: Tensor, stream: RandomStream?, _ body: @escaping (Tensor) -> Tensor) -> Tensor {
        guard let index = indexOfLayer[ObjectIdentifier(layer)] else { return body(input) }
        let bucket = layers[index].bucket
        acquire(index, prefetching: index + 1)
        defer { computing = nil }
        guard GradMode.isEnabled else {
            defer { release(index) }
            return body(input)
        }
        let rewind = stream?.generator
        let autocast = Autocast.current  // the recomputation rounds activations as the forward pass did
        let output = withNoGrad { body(input) }
        release(index)
        return Tensor.differentiable(output, inputs: [input], name: "zero3 layer", force: true) { [unowned self] g in
            self.acquire(index, prefetching: index - 1)
            defer { self.computing = nil }
            // Each gradient backward produces lets the prefetch advance.
            for p in bucket.parameters { p.gradientHook = { [unowned self] _ in self.inFlight?.progress(on: self.communicator) } }
            defer { for p in bucket.parameters { p.gradientHook = nil } }
            let replayInput = input.detached()
            replayInput.requiresGrad = input.requiresGrad
            let resume = stream?.generator
            if let rewind { stream?.generator = rewind }
            let earlier = bucket.parameters.map(\.grad)  // the owner's averages from earlier micro-steps
            for p in bucket.parameters { p.grad = nil }
            // `replayInput * 1` is an activation, not a leaf, so autocast rounds it where the layer keeps it for
            // backward, exactly as it rounded the layer's input in the forward pass that DDP differentiates.
            let replayed = GradMode.$isEnabled.withValue(true) { withAutocast(autocast) { body(replayInput * 1) } }
            if let resume { stream?.generator = resume }
            if replayed.requiresGrad { replayed.backward(g) }
            self.reduceScatter(bucket)
            for (p, previous) in zip(bucket.parameters, earlier) {
                guard let previous, let g = p.grad else { continue }
                FloatBuffer.axpby(1, previous.floatPointer, 1, g.floatPointer, count: g.count)
            }
            self.release(index)
            return [replayInput.grad]
        }
    }

    /// Makes layer `index` whole here — from the prefetch when it is that layer's, else by a blocking gather —
    /// marks it computing, and starts the non-blocking gather of layer `next` (when there is one).
    private func acquire(_ index: Int, prefetching next: Int) {
        if let pending = inFlight {
            inFlight = nil
            if pending.index == index {
                pending.finish(on: communicator, unpack: true)
                if pending.startedDuringLayer { prefetchedLayerGathers += 1 }
            } else {
                pending.finish(on: communicator, unpack: false)  // not the layer expected: dropped
                gathered -= 1
                gatherWhole(index)
            }
        } else {
            gatherWhole(index)
        }
        computing = index
        guard layers.indices.contains(next) else { return }
        inFlight = LayerGather(index: next, bucket: layers[next].bucket, startedDuringLayer: computing != nil, on: communicator)
        count(+1)
    }

    /// Gathers layer `index` with a blocking collective.
    private func gatherWhole(_ index: Int) {
        allGather(layers[index].bucket)
        blockingLayerGathers += 1
        count(+1)
    }

    /// Waits for a prefetch nothing will use and drops it (before collectives that gather or step every layer).
    private func dropPrefetch() {
        guard let pending = inFlight else { return }
        inFlight = nil
        pending.finish(on: communicator, unpack: false)
        count(-1)
    }

    private func count(_ change: Int) {
        gathered += change
        mostLayersGathered = Swift.max(mostLayersGathered, gathered)
    }

    /// Releases layer `index` after use.
    private func release(_ index: Int) {
        release(layers[index].bucket)
        count(-1)
    }

    /// Hands back to the system the whole pages of the parameters of `bucket` that other ranks own; they read as
    /// zeros until the next gather fills them.
    private func release(_ bucket: ShardedBucket) {
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        for (p, r) in zip(bucket.parameters, bucket.owners) where r != rank {
            let start = UInt(bitPattern: p.rawPointer), end = start + UInt(p.count * p.dtype.byteSize)
            let first = (start + page - 1) / page * page, last = end / page * page
            guard last > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { continue }
            madvise(address, Int(last - first), MADV_DONTNEED)
        }
    }
}

import VoltNN
import VoltTensor

/// How training is spread over processes.
public protocol Strategy: AnyObject {
    /// This process's rank (0 ..< worldSize).
    var rank: Int { get }
    /// Number of processes.
    var worldSize: Int { get }
    /// Averages gradients across ranks (in place).
    func reduceGradients(_ parameters: [Tensor])
    /// Called before a backward pass; with `synchronize`, that pass ends an accumulation window, and a data-parallel
    /// strategy may start reducing gradients as soon as backward produces them.
    func prepareBackward(_ parameters: [Tensor], synchronize: Bool)
    /// Makes every rank's tensors equal to rank 0's.
    func broadcast(_ tensors: [Tensor])
    /// Reduces numbers across ranks (sum), in place.
    func allReduceSum(_ values: inout [Double])
    /// Waits for every rank.
    func barrier()
    /// Waits for every rank while rank 0 writes a file (a data-parallel strategy allows this wait longer than others).
    func barrierWhileWriting()
    /// Ends the whole job because of `error` on this rank (no rank is left waiting in a collective).
    func abort(_ error: any Error) -> Never
    /// Every rank's `values` (the same count on every rank), in rank order.
    func allGather(_ values: [UInt64]) -> [[UInt64]]
    /// Called before an optimizer applies reduced gradients (ZeRO-1 drops the gradients of parameters other
    /// ranks own, so this rank keeps optimizer state only for its own).
    func prepareStep(_ parameters: [Tensor])
    /// Called after the optimizer step (ZeRO-1 broadcasts each parameter from its owner).
    func finishStep(_ parameters: [Tensor])
    /// The optimizer's full state on every rank (ZeRO-1 gathers the shards); collective.
    func gatherOptimizerState(_ optimizer: any Optimizer) -> OptimizerState
    /// The part of a full optimizer state this rank keeps (ZeRO-1: its own parameters').
    func localOptimizerState(_ state: OptimizerState, for optimizer: any Optimizer) -> OptimizerState
    /// Whether the reduced gradients are finite on every rank (collective where gradients are sharded: each rank
    /// checks its shard and the ranks agree, so all of them skip an overflowing fp16 step together).
    func gradientsAreFinite(_ parameters: [Tensor]) -> Bool
    /// Scales the reduced gradients so that their global L2 norm is at most `maxNorm` (`clip_grad_norm_`), and
    /// returns the norm before clipping. Where gradients are sharded, the norm is summed from every rank's shard.
    func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) -> Double
    /// Whether full checkpoints are written as a ``ShardedCheckpoint`` (each rank its share of the optimizer
    /// state) rather than gathered into one file by rank 0.
    var shardsCheckpoints: Bool { get }
    /// Called on every rank once a fit's starting weights are in place, with the parameters its optimizers update
    /// (ZeRO-3 shards the parameters here).
    func setUp(_ model: Module, parameters: [Tensor])
    /// Called on every rank when a fit ends normally (ZeRO-3 gathers every parameter back, whole, on every rank).
    func tearDown(_ model: Module)
    /// Runs `body` with every parameter whole on this rank (ZeRO-3 gathers them and releases them after); collective.
    func withFullParameters<T>(_ body: () throws -> T) rethrows -> T
}

extension Strategy {
    public func barrierWhileWriting() { barrier() }
    public func prepareBackward(_ parameters: [Tensor], synchronize: Bool) {}
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
}

/// Whether every gradient this process holds is free of inf and NaN.
func allGradientsFinite(_ parameters: [Tensor]) -> Bool {
    parameters.allSatisfy { p in p.grad.map { FloatBuffer.allFinite($0.floatPointer, count: $0.count) } ?? true }
}

extension Strategy {
    /// Whether this process writes checkpoints and logs.
    public var isGlobalZero: Bool { rank == 0 }
}

/// One process.
public final class SingleDeviceStrategy: Strategy {
    /// The strategy of a single process: rank 0 of a world of 1.
    public init() {}
    public var rank: Int { 0 }
    public var worldSize: Int { 1 }
    public func reduceGradients(_ parameters: [Tensor]) {}
    public func broadcast(_ tensors: [Tensor]) {}
    public func allReduceSum(_ values: inout [Double]) {}
    public func barrier() {}
    public func abort(_ error: any Error) -> Never { fatalError("\(error)") }
    public func allGather(_ values: [UInt64]) -> [[UInt64]] { [values] }
}

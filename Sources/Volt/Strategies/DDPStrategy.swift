import CVoltKernels
import Foundation
import VoltNN
import VoltTensor

/// Distributed data parallelism over MPI (PyTorch's DDP on Open MPI): every rank holds the whole model, sees its
/// share of each epoch, and averages gradients with bucketed all-reduces before each optimizer step — never on
/// accumulation micro-steps, since reduction happens only when an optimizer steps.
public class DDPStrategy: Strategy {
    let communicator: MPICommunicator
    /// Gradient bytes per all-reduce (PyTorch's `bucket_cap_mb`, 25 MB).
    public let bucketBytes: Int

    /// The strategy over the current MPI world.
    ///
    /// - Throws: when the process was not started by an MPI launcher (call ``MPILauncher/relaunchIfNeeded(devices:arguments:)``
    ///   first, or start it with `mpirun`/`srun`).
    public init(bucketBytes: Int = 25 << 20) throws {
        guard let world = MPICommunicator.world else {
            throw TrainerError.misconfiguration("strategy ddp needs an MPI launcher: run under mpirun/srun, or use devices > 1 from the volt command")
        }
        communicator = world
        self.bucketBytes = bucketBytes
        if ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] == nil {
            volt_set_threads(Int32(Swift.max(1, ProcessInfo.processInfo.activeProcessorCount / world.size)))
        }
    }

    public var rank: Int { communicator.rank }
    public var worldSize: Int { communicator.size }

    public func reduceGradients(_ parameters: [Tensor]) {
        guard worldSize > 1 else { return }
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
            volt_axpby_f32(scale, flat.floatPointer + offset, 0, g.floatPointer, g.count)
            offset += g.count
        }
    }

    public func broadcast(_ tensors: [Tensor]) {
        for t in tensors { communicator.broadcast(t.rawPointer, byteCount: t.count * t.dtype.byteSize, root: 0) }
    }

    public func allReduceSum(_ values: inout [Double]) { communicator.allReduceSum(&values) }

    public func barrier() { communicator.barrier() }

    public func abort(_ error: any Error) -> Never { communicator.abort("\(error)") }

    public func prepareStep(_ parameters: [Tensor]) {}
    public func finishStep(_ parameters: [Tensor]) {}
    public func gatherOptimizerState(_ optimizer: any Optimizer) -> OptimizerState { optimizer.state() }
    public func localOptimizerState(_ state: OptimizerState, for optimizer: any Optimizer) -> OptimizerState { state }

    public func allGather(_ values: [UInt64]) -> [[UInt64]] {
        (0..<worldSize).map { root in
            var buffer = root == rank ? values : [UInt64](repeating: 0, count: values.count)
            buffer.withUnsafeMutableBytes { communicator.broadcast($0.baseAddress!, byteCount: $0.count, root: root) }
            return buffer
        }
    }
}

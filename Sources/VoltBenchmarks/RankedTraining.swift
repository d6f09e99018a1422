import Volt
import VoltNN
import VoltTensor

/// The processes of one training benchmark, set up as `Trainer.fit` sets them up: the strategy of a
/// ``DataParallelism``, rank 0's weights on every rank, and the strategy's `setUp` over the trained parameters
/// (ZeRO-3 releases the layer parameters other ranks own here). Afterwards it gathers per-rank measurements.
struct RankedTraining {
    /// The strategy every step goes through.
    let strategy: any Strategy

    /// Builds the strategy and sets it up over `model`, whose optimizer updates `parameters`.
    ///
    /// - Throws: `TrainerError.misconfiguration` from the strategy; ``BenchmarkError/noLayerHooks(model:)`` for
    ///   ZeRO-3 over a model that has no `LayeredModule`-style layer hooks.
    init(_ parallelism: DataParallelism, model: Module, parameters: [Tensor], name: String) throws {
        strategy = try parallelism.makeStrategy()
        // Every rank decides alike (same model, same kind), so all of them throw together.
        if parallelism.strategy == .zero3, strategy.worldSize > 1,
           model.layeredModules().allSatisfy({ $0.runnableLayers.isEmpty }) {
            throw BenchmarkError.noLayerHooks(model: name)
        }
        strategy.broadcast(model.namedTensors().map(\.1))
        strategy.setUp(model, parameters: parameters)
    }

    /// This process's rank (0 on one process).
    var rank: Int { strategy.rank }
    /// Ranks in the job.
    var worldSize: Int { strategy.worldSize }

    /// Every rank's `value`, in rank order; collective.
    func gathered(_ value: Double) -> [Double] {
        strategy.allGather([value.bitPattern]).map { Double(bitPattern: $0[0]) }
    }
}

extension RankedTraining {
    /// The matmul peaks on every rank at once (each rank measures its own share of the machine, and the shares are
    /// summed); collective.
    func matmulPeaks(for precision: Precision) -> (fp32: Double, peak: Double) {
        let (fp32, peak) = MachinePeaks.matmul(for: precision)
        return (gathered(fp32).reduce(0, +), gathered(peak).reduce(0, +))
    }

    /// After the timed steps, on every rank at once: the matmul peaks, each the higher of this reading and
    /// `before` (the one taken before the steps: a shared machine can slow one reading, and MFU must not rise
    /// with it), and every rank's peak resident memory in MB, read after that measurement as a one-process
    /// benchmark reads it; collective.
    func machinePeaks(for precision: Precision, atLeast before: (fp32: Double, peak: Double))
        -> (fp32: Double, peak: Double, rankPeakRSS: [Double]) {
        let after = matmulPeaks(for: precision)
        let rss = gathered(MachinePeaks.residentMegabytes())
        return (Swift.max(before.fp32, after.fp32), Swift.max(before.peak, after.peak), rss)
    }
}

import Foundation
import Volt
import VoltNN
import VoltTensor

/// The timed part of a model benchmark, in the training loop's order (`Trainer`'s automatic step): backward
/// through the precision plugin, the strategy's gradient reduction, unscale, skip the step on an fp16 overflow
/// (agreed by every rank), the strategy's step preparation, step, the strategy's step completion, zero the
/// gradients. On one process the strategy's calls do nothing.
enum TimedTraining {
    /// Runs `warmup` untimed then `steps` timed steps of `loss` through `strategy`; the mean seconds per timed step
    /// (from a barrier before the first to a barrier after the last, so the slowest rank's) and the tensor pool's
    /// high-water mark over the timed steps.
    static func measure(precision: Precision, parameters: [Tensor], optimizer: any Optimizer,
                        strategy: any Strategy = SingleDeviceStrategy(), warmup: Int, steps: Int,
                        loss: () throws -> Tensor) throws -> (seconds: Double, peakTensorBytes: Int) {
        let plugin = makePrecisionPlugin(precision)
        func step() throws {
            strategy.prepareBackward(parameters, synchronize: true)
            try withAutocast(plugin.autocast) { plugin.backward(try loss()) }
            strategy.reduceGradients(parameters)
            plugin.unscale(parameters)
            let finite = !plugin.skipsNonFiniteSteps || strategy.gradientsAreFinite(parameters)
            if plugin.shouldStep(gradientsFinite: finite) {
                strategy.prepareStep(parameters)
                optimizer.step()
                strategy.finishStep(parameters)
            }
            optimizer.zeroGrad()
        }
        for _ in 0..<warmup { try step() }
        BufferPool.shared.resetPeak()
        strategy.barrier()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { try step() }
        strategy.barrier()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps)
        return (seconds, BufferPool.shared.usage.peak)
    }
}

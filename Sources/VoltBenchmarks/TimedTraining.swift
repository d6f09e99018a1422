import Foundation
import Volt
import VoltNN
import VoltTensor

/// The timed part of a model benchmark, in the training loop's order: backward through the precision plugin,
/// unscale, skip the step on an fp16 overflow, step, zero the gradients.
enum TimedTraining {
    /// Runs `warmup` untimed then `steps` timed steps of `loss`; the mean seconds per timed step and the tensor
    /// pool's high-water mark over the timed steps.
    static func measure(precision: Precision, parameters: [Tensor], optimizer: any Optimizer, warmup: Int, steps: Int,
                        loss: () throws -> Tensor) throws -> (seconds: Double, peakTensorBytes: Int) {
        let plugin = makePrecisionPlugin(precision)
        func step() throws {
            try withAutocast(plugin.autocast) { plugin.backward(try loss()) }
            plugin.unscale(parameters)
            if plugin.shouldStep(parameters) { optimizer.step() }
            optimizer.zeroGrad()
        }
        for _ in 0..<warmup { try step() }
        BufferPool.shared.resetPeak()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { try step() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps)
        return (seconds, BufferPool.shared.usage.peak)
    }
}

import VoltNN
import VoltTensor

/// An optimizer as training steps see it: ``step()`` reduces gradients across ranks, unscales them and skips on
/// overflow under fp16, steps, and counts the global step.
public final class TrainingOptimizer {
    /// The wrapped optimizer.
    public let optimizer: any Optimizer
    unowned let trainer: Trainer
    var unscaled = false

    init(_ optimizer: any Optimizer, trainer: Trainer) {
        self.optimizer = optimizer
        self.trainer = trainer
    }

    /// Every parameter of the optimizer.
    public var parameters: [Tensor] { optimizer.parameterGroups.flatMap(\.parameters) }

    /// Applies one update. Returns false when the step was skipped (fp16 overflow).
    @discardableResult
    public func step() throws -> Bool { try trainer.optimizerStep(self) }

    /// Clears the gradients.
    public func zeroGrad() {
        optimizer.zeroGrad()
        unscaled = false
    }

    /// Divides the gradients by the loss scale once per step (a no-op outside fp16).
    func unscaleGradients() {
        guard !unscaled else { return }
        trainer.strategy.reduceGradients(parameters)
        trainer.precisionPlugin.unscale(parameters)
        unscaled = true
    }
}

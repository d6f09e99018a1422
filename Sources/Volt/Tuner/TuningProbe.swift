import VoltTensor

/// The callback through which a ``Tuner`` sees the training steps it drives: the loss of each optimizer step.
///
/// The loss of a step is the sum of the losses back-propagated since the previous optimizer step — the
/// objective whose gradient that step applies. Under gradient accumulation (GenSLM's manual workflow back-propagates
/// `loss / accumulationSteps` for each micro-batch) that is the mean loss of the accumulation window, with no
/// knowledge of the module's logging.
final class TuningProbe: Callback {
    /// Called when an optimizer step ends its window: the window's loss, and whether the step was applied
    /// (false when fp16 overflow skipped it).
    let onWindowClosed: (_ loss: Double, _ applied: Bool) throws -> Void
    private var pendingLoss = 0.0

    init(onWindowClosed: @escaping (_ loss: Double, _ applied: Bool) throws -> Void) {
        self.onWindowClosed = onWindowClosed
    }

    /// Adds the loss about to be back-propagated.
    func onBeforeBackward(_ trainer: Trainer, loss: Tensor) throws {
        pendingLoss += Double(loss.item())
    }

    /// Ends the window at an applied step.
    func onOptimizerStep(_ trainer: Trainer) throws { try closeWindow(applied: true) }

    /// Ends the window at a step fp16 overflow skipped.
    func onOptimizerStepSkipped(_ trainer: Trainer) throws { try closeWindow(applied: false) }

    private func closeWindow(applied: Bool) throws {
        let loss = pendingLoss
        pendingLoss = 0
        try onWindowClosed(loss, applied)
    }
}

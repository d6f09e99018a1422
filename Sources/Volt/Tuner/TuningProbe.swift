import VoltTensor

/// What a ``Tuner`` sees of the training steps it drives: the loss of each optimizer step.
///
/// The loss of a step is the sum of the losses back-propagated since the previous optimizer step — the
/// objective whose gradient that step applies. Under gradient accumulation (GenSLM's manual workflow back-propagates
/// `loss / accumulationSteps` for each micro-batch) that is the mean loss of the accumulation window, with no
/// knowledge of the module's logging.
final class TuningProbe {
    /// Called when an optimizer step ends its window: the window's loss, and whether the step was applied
    /// (false when fp16 overflow skipped it).
    var onWindowClosed: (_ loss: Double, _ applied: Bool) throws -> Void
    private var pendingLoss = 0.0

    init(onWindowClosed: @escaping (_ loss: Double, _ applied: Bool) throws -> Void) {
        self.onWindowClosed = onWindowClosed
    }

    /// Adds a loss passed to backward (unscaled: the loss scale of fp16 is applied inside the precision plugin).
    func recordBackward(_ loss: Tensor) {
        pendingLoss += Double(loss.item())
    }

    /// Ends the current window at an optimizer step.
    func closeWindow(applied: Bool) throws {
        let loss = pendingLoss
        pendingLoss = 0
        try onWindowClosed(loss, applied)
    }
}

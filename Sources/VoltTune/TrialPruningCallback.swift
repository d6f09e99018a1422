import Volt

/// Reports the monitored metric of a trial after every validation of `fit` (after every training epoch when
/// there is no validation loop) and stops the fit at once when the pruner says so — Optuna's
/// `PyTorchLightningPruningCallback`, with the report's step the index of the validation (0, 1, 2, …).
public final class TrialPruningCallback: Callback {
    /// The trial.
    public let trial: TrialContext
    /// The metric reported (e.g. `val_loss`).
    public let monitor: String
    /// Validations reported so far.
    public private(set) var reports = 0
    /// The last value of the metric.
    public private(set) var lastValue: Double?

    /// A callback reporting `monitor` for `trial`.
    public init(trial: TrialContext, monitor: String) {
        self.trial = trial
        self.monitor = monitor
    }

    public func onValidationEnd(_ trainer: Trainer) throws { try report(trainer) }

    public func onTrainEpochEnd(_ trainer: Trainer) throws {
        if !trainer.hasValidation { try report(trainer) }
    }

    private func report(_ trainer: Trainer) throws {
        guard trainer.isFitting, !trainer.isSanityChecking else { return }
        guard let value = trainer.callbackMetrics[monitor] else {
            throw TrainerError.monitoredKeyMissing(callback: "TrialPruningCallback", key: monitor,
                                                   available: trainer.callbackMetrics.keys.sorted())
        }
        lastValue = value
        let step = reports
        reports += 1
        if try trial.report(value, step: step) { trainer.shouldStop = true }
    }
}

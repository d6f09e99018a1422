import Volt

/// Reports the monitored metric of a trial after every validation of `fit` (after every training epoch when
/// there is no validation loop) and stops the fit at once when the pruner says so — Optuna's
/// `PyTorchLightningPruningCallback`, with the report's step the index of the validation (0, 1, 2, …).
///
/// Under DDP every rank holds one: rank 0's reports to the study and sends the decision to the others, whose
/// `report` receives it, so all ranks stop at the same batch.
public final class TrialPruningCallback: Callback {
    /// The metric reported (e.g. `val_loss`).
    public let monitor: String
    /// Reports a value at a step and returns whether to stop.
    private let reportValue: (Double, Int) throws -> Bool
    /// Validations reported so far.
    public private(set) var reports = 0
    /// The last value of the metric.
    public private(set) var lastValue: Double?

    /// A callback reporting `monitor` for `trial`.
    public convenience init(trial: TrialContext, monitor: String) {
        self.init(monitor: monitor) { value, step in try trial.report(value, step: step) }
    }

    /// A callback whose `report(value, step)` decides whether to stop.
    public init(monitor: String, report: @escaping (Double, Int) throws -> Bool) {
        self.monitor = monitor
        reportValue = report
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
        if try reportValue(value, step) { trainer.shouldStop = true }
    }
}

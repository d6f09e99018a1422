import Foundation

/// Stops training when a monitored metric stops improving — Lightning's `EarlyStopping`.
///
/// After each validation (or training epoch without validation) the metric is compared with the best so far:
/// an improvement of more than `minDelta` resets the patience counter, anything else increments it, and
/// training stops when it reaches `patience`. It also stops at once when the metric reaches
/// `stoppingThreshold`, passes `divergenceThreshold` the wrong way, or is not finite (`checkFinite`).
public final class EarlyStopping: Callback {
    /// The logged metric it watches (`val_loss`).
    public let monitor: String
    /// The smallest change that counts as an improvement (stored as its absolute value).
    public let minDelta: Double
    /// Checks without improvement after which training stops.
    public let patience: Int
    /// Whether lower or higher values of `monitor` are better.
    public let mode: MonitorMode
    /// Stop at once when the metric reaches this value (or passes it the good way).
    public let stoppingThreshold: Double?
    /// Stop at once when the metric passes this value the bad way.
    public let divergenceThreshold: Double?
    /// Stop at once when the metric is NaN or infinite.
    public let checkFinite: Bool

    /// Validations without improvement so far.
    public private(set) var waitCount = 0
    /// The best value seen.
    public private(set) var bestScore: Double
    /// The epoch at which training was stopped, if it was.
    public private(set) var stoppedEpoch: Int?
    /// Why training stopped.
    public private(set) var reason: String?

    /// An early-stopping callback (Lightning's arguments and defaults).
    public init(monitor: String, minDelta: Double = 0, patience: Int = 3, mode: MonitorMode = .min,
                stoppingThreshold: Double? = nil, divergenceThreshold: Double? = nil, checkFinite: Bool = true) {
        self.monitor = monitor
        self.minDelta = abs(minDelta)
        self.patience = patience
        self.mode = mode
        self.stoppingThreshold = stoppingThreshold
        self.divergenceThreshold = divergenceThreshold
        self.checkFinite = checkFinite
        bestScore = mode.worst
    }

    public var monitoredMetric: String? { monitor }

    public var stateKey: String? { "EarlyStopping{monitor=\(monitor),mode=\(mode.rawValue)}" }

    public func onValidationEnd(_ trainer: Trainer) throws { try check(trainer) }

    public func onTrainEpochEnd(_ trainer: Trainer) throws {
        if !trainer.hasValidation { try check(trainer) }
    }

    private func check(_ trainer: Trainer) throws {
        guard trainer.isFitting, !trainer.isSanityChecking else { return }
        guard let local = trainer.callbackMetrics[monitor] else {
            throw TrainerError.monitoredKeyMissing(callback: "EarlyStopping", key: monitor,
                                                   available: trainer.callbackMetrics.keys.sorted())
        }
        // Rank 0's value decides, so every rank keeps the same patience count and stops at the same step.
        let (stop, why) = evaluate(trainer.strategy.rankZeroValue(local))
        if stop {
            trainer.shouldStop = true
            stoppedEpoch = trainer.currentEpoch
            reason = why
        }
    }

    /// Updates the state with a new value of the metric and says whether to stop, and why (Lightning's
    /// `_evaluate_stopping_criteria`).
    public func evaluate(_ current: Double) -> (Bool, String?) {
        if checkFinite && !current.isFinite {
            return (true, "Monitored metric \(monitor) = \(current) is not finite. Previous best value was \(bestScore).")
        }
        if let t = stoppingThreshold, mode.isBetter(current, than: t) {
            return (true, "Stopping threshold reached: \(monitor) = \(current) \(mode == .min ? "<" : ">") \(t).")
        }
        if let d = divergenceThreshold, mode.isBetter(d, than: current) {
            return (true, "Divergence threshold reached: \(monitor) = \(current) \(mode == .min ? ">" : "<") \(d).")
        }
        let shifted = mode == .min ? current + minDelta : current - minDelta
        if mode.isBetter(shifted, than: bestScore) {
            bestScore = current
            waitCount = 0
            return (false, nil)
        }
        waitCount += 1
        if waitCount >= patience {
            return (true, "Monitored metric \(monitor) did not improve in the last \(waitCount) records. Best score: \(bestScore).")
        }
        return (false, nil)
    }

    private struct SavedState: Codable { var wait_count: Int; var stopped_epoch: Int?; var best_score: Double; var patience: Int }

    public func state() throws -> String {
        try CallbackStateCoder.encode(SavedState(wait_count: waitCount, stopped_epoch: stoppedEpoch, best_score: bestScore,
                                                 patience: patience))
    }

    public func load(state: String) throws {
        let s = try CallbackStateCoder.decode(SavedState.self, from: state)
        waitCount = s.wait_count
        stoppedEpoch = s.stopped_epoch
        bestScore = s.best_score
    }
}

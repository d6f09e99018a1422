import Foundation

/// Optuna's `MedianPruner`: prunes a trial whose best value so far is worse than the median of the complete
/// trials' values at the same step — once `startupTrials` trials are complete, from step `warmupSteps` on, at the
/// first report of every `intervalSteps`.
public struct MedianPruner: Pruner {
    /// Complete trials before any trial is pruned. Default 5 (Optuna's `n_startup_trials`).
    public let startupTrials: Int
    /// Steps of each trial that are never pruned. Default 0 (Optuna's `n_warmup_steps`).
    public let warmupSteps: Int
    /// Steps between pruning checks. Default 1 (Optuna's `interval_steps`).
    public let intervalSteps: Int
    /// Complete trials that must have reported at the step. Default 1.
    public let minTrials: Int

    /// A median pruner with Optuna's defaults.
    public init(startupTrials: Int = 5, warmupSteps: Int = 0, intervalSteps: Int = 1, minTrials: Int = 1) {
        self.startupTrials = startupTrials
        self.warmupSteps = warmupSteps
        self.intervalSteps = Swift.max(1, intervalSteps)
        self.minTrials = minTrials
    }

    public func prune(trial: TrialRecord, trials: [TrialRecord], direction: StudyDirection) -> PruningDecision {
        let complete = trials.filter { $0.state == .complete && $0.id != trial.id }
        guard !complete.isEmpty, complete.count >= startupTrials, let step = trial.lastStep, step >= warmupSteps else {
            return .init(prune: false)
        }
        // Optuna's _is_first_in_interval_step.
        let nearestLowerPruningStep = (step - warmupSteps) / intervalSteps * intervalSteps + warmupSteps
        let secondLast = trial.intermediateValues.keys.filter { $0 != step }.max() ?? -1
        guard secondLast < nearestLowerPruningStep else { return .init(prune: false) }
        let finite = trial.intermediateValues.values.filter { !$0.isNaN }
        guard let best = direction == .minimize ? finite.min() : finite.max() else { return .init(prune: true) }
        let atStep = complete.compactMap { $0.intermediateValues[step] }
        guard atStep.count >= minTrials else { return .init(prune: false) }
        let p = Self.percentile(atStep.filter { !$0.isNaN }, 50)
        guard !p.isNaN else { return .init(prune: false) }
        return .init(prune: direction == .minimize ? best > p : best < p)
    }

    /// numpy's `percentile` with linear interpolation; NaN for no values.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let position = q / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}

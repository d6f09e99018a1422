import Foundation

/// What a pruner decided at a report: whether to stop the trial, and the system attributes it keeps (successive
/// halving's `completed_rung_N`).
public struct PruningDecision: Sendable, Equatable {
    /// Stop the trial now.
    public var prune: Bool
    /// Attributes to store on the trial, whatever the decision.
    public var systemAttributes: [String: Double] = [:]

    /// A decision.
    public init(prune: Bool, systemAttributes: [String: Double] = [:]) {
        self.prune = prune
        self.systemAttributes = systemAttributes
    }
}

/// Decides, after a trial reports an intermediate value, whether to stop it (Optuna's `BasePruner.prune`).
public protocol Pruner: Sendable {
    /// The decision for `trial` (with its latest report) given every trial of the study.
    func prune(trial: TrialRecord, trials: [TrialRecord], direction: StudyDirection) -> PruningDecision
}

/// Optuna's `NopPruner`: never prunes.
public struct NoPruner: Pruner {
    /// The pruner.
    public init() {}
    public func prune(trial: TrialRecord, trials: [TrialRecord], direction: StudyDirection) -> PruningDecision { .init(prune: false) }
}

/// Optuna's `MedianPruner`: prunes a trial whose best value so far is worse than the median of the complete
/// trials' values at the same step — once `startupTrials` trials are complete, from step `warmupSteps` on, at the
/// first report of every `intervalSteps`.
public struct MedianPruner: Pruner {
    public let startupTrials: Int
    public let warmupSteps: Int
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

/// Optuna's `SuccessiveHalvingPruner` (asynchronous successive halving): at steps minResource·η^(s+r) a trial enters
/// rung r, and continues only if its value is in the best 1/η of the values that reached that rung so far.
public struct SuccessiveHalvingPruner: Pruner {
    /// Steps before the first rung; `nil` ("auto"): 1/100 of the longest complete trial's last step, at least 1.
    public let minResource: Int?
    /// η. Default 4.
    public let reductionFactor: Int
    /// s. Default 0.
    public let minEarlyStoppingRate: Int
    /// Trials that must reach a rung before any is promoted. Default 0.
    public let bootstrapCount: Int

    /// A pruner with Optuna's defaults.
    public init(minResource: Int? = nil, reductionFactor: Int = 4, minEarlyStoppingRate: Int = 0, bootstrapCount: Int = 0) {
        self.minResource = minResource
        self.reductionFactor = Swift.max(2, reductionFactor)
        self.minEarlyStoppingRate = minEarlyStoppingRate
        self.bootstrapCount = bootstrapCount
    }

    static func rungKey(_ rung: Int) -> String { "completed_rung_\(rung)" }

    public func prune(trial: TrialRecord, trials: [TrialRecord], direction: StudyDirection) -> PruningDecision {
        guard let step = trial.lastStep, let value = trial.intermediateValues[step] else { return .init(prune: false) }
        var rung = 0
        while trial.systemAttributes[Self.rungKey(rung)] != nil { rung += 1 }
        var resource = minResource
        if resource == nil {
            let steps = trials.filter { $0.state == .complete }.compactMap(\.lastStep)
            guard let longest = steps.max() else { return .init(prune: false) }
            resource = Swift.max(longest / 100, 1)
        }
        guard let minResource = resource else { return .init(prune: false) }
        var attributes: [String: Double] = [:]
        while true {
            let promotionStep = minResource * Int(pow(Double(reductionFactor), Double(minEarlyStoppingRate + rung)))
            if step < promotionStep { return .init(prune: false, systemAttributes: attributes) }
            if value.isNaN { return .init(prune: true, systemAttributes: attributes) }
            let key = Self.rungKey(rung)
            attributes[key] = value
            var competing = trials.filter { $0.id != trial.id }.compactMap { $0.systemAttributes[key].flatMap { try? JSONValue.parse($0).double } }
            competing.append(value)
            if competing.count <= bootstrapCount { return .init(prune: true, systemAttributes: attributes) }
            var promotable = competing.count / reductionFactor - 1
            if promotable == -1 { promotable = 0 }
            competing.sort()
            let keep = direction == .maximize ? value >= competing[competing.count - 1 - promotable] : value <= competing[promotable]
            if !keep { return .init(prune: true, systemAttributes: attributes) }
            rung += 1
        }
    }
}

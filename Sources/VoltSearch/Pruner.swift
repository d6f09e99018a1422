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

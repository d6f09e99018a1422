import Foundation
import VoltInterop

/// The running trial as the objective sees it: its number, parameters, and the report that may prune it.
public final class TrialContext {
    /// The study.
    public let study: Study
    /// The trial as claimed.
    public let trial: TrialRecord
    /// Whether the pruner stopped the trial.
    public private(set) var isPruned = false
    /// The last reported value.
    public private(set) var lastReport: Double?

    init(study: Study, trial: TrialRecord) {
        self.study = study
        self.trial = trial
    }

    /// The trial number.
    public var number: Int { trial.number }

    /// The sampled values by parameter name (the choice itself for a categorical parameter).
    public var params: [String: JSONValue] { trial.params.mapValues(\.value) }

    /// Records `value` at `step` and asks the pruner.
    ///
    /// - Returns: whether the trial should stop now (it is then recorded PRUNED when the objective returns).
    @discardableResult
    public func report(_ value: Double, step: Int) throws -> Bool {
        lastReport = value
        try study.storage.reportIntermediate(trialID: trial.id, step: step, value: value)
        let all = try study.trials()
        guard let current = all.first(where: { $0.id == trial.id }) else { return false }
        let decision = study.settings.pruner.prune(trial: current, trials: all, direction: study.settings.direction)
        for (key, v) in decision.systemAttributes.sorted(by: { $0.key < $1.key }) {
            try study.storage.setTrialAttribute(trialID: trial.id, key: key, value: .double(v), user: false)
        }
        if decision.prune { isPruned = true }
        return decision.prune
    }

    /// Stores a user attribute (shown by Optuna as `user_attrs_<key>`).
    public func setUserAttribute(_ key: String, _ value: JSONValue) throws {
        try study.storage.setTrialAttribute(trialID: trial.id, key: key, value: value, user: true)
    }
}

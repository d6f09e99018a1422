import Foundation
import VoltInterop

/// A trial's state, as Optuna stores it in `trials.state`.
public enum TrialState: String, Sendable, Codable, CaseIterable {
    /// Claimed by a worker and not finished.
    case running = "RUNNING"
    /// Finished with a value.
    case complete = "COMPLETE"
    /// Stopped early by the pruner.
    case pruned = "PRUNED"
    /// The objective threw, or the worker stopped sending heartbeats.
    case fail = "FAIL"
    /// Enqueued, not yet claimed.
    case waiting = "WAITING"

    /// COMPLETE, PRUNED or FAIL.
    public var isFinished: Bool { self == .complete || self == .pruned || self == .fail }
}

/// Which way the objective improves (`study_directions.direction`).
public enum StudyDirection: String, Sendable, Codable {
    /// Lower is better (a loss).
    case minimize = "MINIMIZE"
    /// Higher is better.
    case maximize = "MAXIMIZE"

    /// Whether `a` is strictly better than `b`.
    public func isBetter(_ a: Double, than b: Double) -> Bool { self == .minimize ? a < b : a > b }
}

/// One parameter of a trial: its internal value and distribution.
public struct TrialParameter: Equatable, Sendable {
    /// `trial_params.param_value`: the number, or the index of the choice.
    public var internalValue: Double
    /// `trial_params.distribution_json`, parsed.
    public var distribution: ParameterDistribution

    /// A parameter.
    public init(internalValue: Double, distribution: ParameterDistribution) {
        self.internalValue = internalValue
        self.distribution = distribution
    }

    /// The value the objective sees.
    public var value: JSONValue { distribution.externalValue(internalValue) }
}

/// A trial as stored: Optuna's `FrozenTrial` for one objective.
public struct TrialRecord: Equatable, Sendable {
    /// `trials.trial_id`, unique across studies.
    public var id: Int64
    /// `trials.number`, 0, 1, 2, … within the study.
    public var number: Int
    /// RUNNING, COMPLETE, PRUNED, FAIL or WAITING.
    public var state: TrialState
    /// The objective value (objective 0); for a pruned trial its last intermediate value, as Optuna records it.
    public var value: Double?
    /// UTC start (`trials.datetime_start`).
    public var start: Date?
    /// UTC end (`trials.datetime_complete`); nil while running.
    public var complete: Date?
    /// The sampled parameters by name.
    public var params: [String: TrialParameter]
    /// Reported values by step.
    public var intermediateValues: [Int: Double]
    /// Attributes as JSON texts.
    public var userAttributes: [String: String]
    /// Optuna's system attributes (`trial_system_attrs`), as JSON texts.
    public var systemAttributes: [String: String]

    /// A trial record (the storage makes them; pruners and samplers can be tested on hand-made ones).
    public init(id: Int64, number: Int, state: TrialState, value: Double?, start: Date?, complete: Date?,
                params: [String: TrialParameter], intermediateValues: [Int: Double], userAttributes: [String: String],
                systemAttributes: [String: String]) {
        self.id = id
        self.number = number
        self.state = state
        self.value = value
        self.start = start
        self.complete = complete
        self.params = params
        self.intermediateValues = intermediateValues
        self.userAttributes = userAttributes
        self.systemAttributes = systemAttributes
    }

    /// The highest reported step (Optuna's `last_step`).
    public var lastStep: Int? { intermediateValues.keys.max() }

    /// Seconds between start and completion.
    public var duration: TimeInterval? {
        guard let start, let complete else { return nil }
        return complete.timeIntervalSince(start)
    }
}

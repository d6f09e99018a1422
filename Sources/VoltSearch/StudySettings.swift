import Foundation

/// How a study is run: its name and direction, the space, the sampler, the pruner and the trial budget.
public struct StudySettings: Sendable {
    /// `studies.study_name`: the study a rerun continues.
    public var name: String
    /// Whether the objective is minimized or maximized.
    public var direction: StudyDirection
    /// The study's total of COMPLETE, PRUNED and RUNNING trials: a rerun continues up to it.
    public var nTrials: Int
    /// The parameters and their distributions.
    public var space: SearchSpace
    /// Chooses each new trial's parameters.
    public var sampler: any Sampler
    /// Decides from a trial's reports whether to stop it early.
    public var pruner: any Pruner
    /// Seconds between heartbeats of a running trial. Default 60.
    public var heartbeatInterval: TimeInterval
    /// Seconds after the last heartbeat when a RUNNING trial is failed as stale. Default 2 × heartbeatInterval,
    /// Optuna's default.
    public var gracePeriod: TimeInterval

    /// Settings.
    public init(name: String, direction: StudyDirection, nTrials: Int, space: SearchSpace, sampler: any Sampler,
                pruner: any Pruner, heartbeatInterval: TimeInterval = 60, gracePeriod: TimeInterval? = nil) {
        self.name = name
        self.direction = direction
        self.nTrials = nTrials
        self.space = space
        self.sampler = sampler
        self.pruner = pruner
        self.heartbeatInterval = heartbeatInterval
        self.gracePeriod = gracePeriod ?? 2 * heartbeatInterval
    }
}

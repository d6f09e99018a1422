import Foundation

/// A study in a ``StudyStorage``: claims trials, runs the objective on each, records the outcome — Optuna's
/// `Study.optimize` for one objective, with its heartbeat semantics.
public final class Study {
    /// The database the study lives in.
    public let storage: StudyStorage
    /// Name, direction, space, sampler, pruner and budget.
    public let settings: StudySettings
    /// `studies.study_id`.
    public let id: Int64

    /// Opens (or creates) study `settings.name` in `storage` and checks the space against its trials.
    ///
    /// - Throws: ``TuneError`` when the study's direction or stored distributions disagree with `settings`.
    public init(storage: StudyStorage, settings: StudySettings) throws {
        guard settings.nTrials >= 1 else { throw TuneError.invalidSetting(key: "n_trials", reason: "must be ≥ 1") }
        guard settings.heartbeatInterval > 0, settings.gracePeriod > 0 else {
            throw TuneError.invalidSetting(key: "heartbeat_interval", reason: "heartbeat_interval and grace_period must be > 0")
        }
        self.storage = storage
        self.settings = settings
        id = try storage.createOrLoadStudy(name: settings.name, direction: settings.direction)
        try settings.space.checkCompatible(with: try storage.trials(studyID: id))
    }

    /// Every trial, by number.
    public func trials() throws -> [TrialRecord] { try storage.trials(studyID: id) }

    /// The COMPLETE trial with the best value.
    public func bestTrial() throws -> TrialRecord? {
        try trials().filter { $0.state == .complete && $0.value.map { !$0.isNaN } == true }
            .min { a, b in settings.direction.isBetter(a.value ?? 0, than: b.value ?? 0) || (a.value == b.value && a.number < b.number) }
    }

    /// Runs trials until the study holds `nTrials` COMPLETE, PRUNED or RUNNING trials (or the grid is exhausted), and
    /// at most `nTrials` trials in this call, so trials that keep failing (NaN values) cannot loop for ever.
    /// Stale RUNNING trials are failed first (and before each claim). `objective` returns the trial's value; a
    /// trial it pruned through ``TrialContext/report(_:step:)`` is recorded PRUNED with its last intermediate value;
    /// a NaN value is recorded FAIL; an error is recorded FAIL (with `fail_reason`) and rethrown.
    ///
    /// - Returns: the numbers of the trials this call ran, and of the stale trials it failed.
    @discardableResult
    public func optimize(_ objective: (TrialContext) throws -> Double,
                         onTrialEnd: (TrialRecord) -> Void = { _ in }) throws -> (ran: [Int], failedStale: [Int]) {
        var ran: [Int] = [], failedStale: [Int] = []
        while ran.count < settings.nTrials {
            failedStale += try storage.failStaleTrials(studyID: id, gracePeriod: settings.gracePeriod)
            let settings = self.settings
            guard let trial = try storage.claimTrial(studyID: id, limit: settings.nTrials, sample: { trials, number in
                try settings.sampler.sample(space: settings.space, trials: trials, number: number, direction: settings.direction)
            }) else { break }
            ran.append(trial.number)
            let context = TrialContext(study: self, trial: trial)
            let heartbeat = try HeartbeatThread(path: storage.path, trialID: trial.id, interval: settings.heartbeatInterval)
            let state: TrialState, value: Double?
            do {
                let v = try objective(context)
                heartbeat.stop()
                if context.isPruned {
                    state = .pruned
                    value = context.lastReport.flatMap { $0.isFinite ? $0 : nil }
                } else if v.isNaN {
                    state = .fail
                    value = nil
                    try storage.setTrialAttribute(trialID: trial.id, key: "fail_reason", value: .string("The objective function returned nan."), user: false)
                } else {
                    state = .complete
                    value = v
                }
            } catch {
                heartbeat.stop()
                try? storage.setTrialAttribute(trialID: trial.id, key: "fail_reason", value: .string("\(error)"), user: false)
                try storage.finishTrial(trialID: trial.id, state: .fail, value: nil)
                if let record = try? trials().first(where: { $0.id == trial.id }) { onTrialEnd(record) }
                throw error
            }
            try storage.finishTrial(trialID: trial.id, state: state, value: value)
            if let record = try trials().first(where: { $0.id == trial.id }) { onTrialEnd(record) }
        }
        return (ran, failedStale)
    }
}

import Foundation

/// How a study is run: its name and direction, the space, the sampler, the pruner and the trial budget.
public struct StudySettings: Sendable {
    public var name: String
    public var direction: StudyDirection
    /// The study's total of COMPLETE, PRUNED and RUNNING trials: a rerun continues up to it.
    public var nTrials: Int
    public var space: SearchSpace
    public var sampler: any Sampler
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

/// A study in a ``StudyStorage``: claims trials, runs the objective on each, records the outcome — Optuna's
/// `Study.optimize` for one objective, with its heartbeat semantics.
public final class Study {
    public let storage: StudyStorage
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

    /// Runs trials until the study holds `nTrials` COMPLETE, PRUNED or RUNNING trials (or the grid is exhausted).
    /// Stale RUNNING trials are failed first (and before each claim). `objective` returns the trial's value; a
    /// trial it pruned through ``TrialContext/report(_:step:)`` is recorded PRUNED with its last intermediate value;
    /// a NaN value is recorded FAIL; an error is recorded FAIL (with `fail_reason`) and rethrown.
    ///
    /// - Returns: the numbers of the trials this call ran, and of the stale trials it failed.
    @discardableResult
    public func optimize(_ objective: (TrialContext) throws -> Double,
                         onTrialEnd: (TrialRecord) -> Void = { _ in }) throws -> (ran: [Int], failedStale: [Int]) {
        var ran: [Int] = [], failedStale: [Int] = []
        while true {
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

/// Writes a trial's heartbeat every `interval` seconds on its own thread and connection until stopped.
final class HeartbeatThread {
    private let stopSignal = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var stopped = false

    init(path: String, trialID: Int64, interval: TimeInterval) throws {
        let stopSignal = stopSignal, finished = finished
        let thread = Thread {
            defer { finished.signal() }
            guard let storage = try? StudyStorage(path: path) else { return }
            while stopSignal.wait(timeout: .now() + interval) == .timedOut {
                try? storage.recordHeartbeat(trialID: trialID)
            }
        }
        thread.start()
    }

    /// Stops the thread and waits for it.
    func stop() {
        guard !stopped else { return }
        stopped = true
        stopSignal.signal()
        finished.wait()
    }

    deinit { stop() }
}

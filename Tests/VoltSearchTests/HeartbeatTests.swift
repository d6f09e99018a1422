import Foundation
import XCTest
import VoltSearch

final class HeartbeatTests: XCTestCase {
    /// A trial that runs longer than the grace period stays alive while its heartbeat thread writes every interval:
    /// another worker's stale check during the trial fails nothing, and one after a silent gap fails a RUNNING trial.
    func testHeartbeatsKeepALongTrialAlive() throws {
        let path = try TuneFixtures.temporaryDirectory("heartbeat") + "/study.db"
        let storage = try StudyStorage(path: path)
        let space = try SearchSpace(["x": .float(low: 0, high: 1, step: nil, log: false)])
        let study = try Study(storage: storage, settings: StudySettings(name: "h", direction: .minimize, nTrials: 1, space: space,
                                                                        sampler: RandomSampler(seed: 0), pruner: NoPruner(),
                                                                        heartbeatInterval: 0.2, gracePeriod: 0.6))
        let other = try StudyStorage(path: path)
        var failedDuringTrial: [Int] = [0]
        var calls = 0
        struct SecondTrial: Error {}
        // A trial failed under it would be replaced by a new one: a second call means the heartbeat did not hold.
        XCTAssertNoThrow(try study.optimize { _ in
            calls += 1
            if calls > 1 { throw SecondTrial() }
            Thread.sleep(forTimeInterval: 1.5)
            failedDuringTrial = try other.failStaleTrials(studyID: study.id, gracePeriod: 0.6)
            return 1
        })
        XCTAssertEqual(failedDuringTrial, [], "the heartbeat was fresh after 1.5 s of a 0.6 s grace period")
        XCTAssertEqual(try study.trials().first?.state, .complete)

        // A RUNNING trial whose process died: its heartbeat ages past the grace period.
        let id = try storage.createOrLoadStudy(name: "dead", direction: .minimize)
        let trial = try XCTUnwrap(try storage.claimTrial(studyID: id, limit: 5) { _, _ in SampledTrial(params: []) })
        XCTAssertEqual(try storage.failStaleTrials(studyID: id, gracePeriod: 0.6), [])
        XCTAssertEqual(try storage.failStaleTrials(studyID: id, gracePeriod: 0.6, now: Date().addingTimeInterval(1)), [trial.number])
        XCTAssertEqual(try storage.trials(studyID: id).first?.state, .fail)
        XCTAssertFalse(try storage.finishTrial(trialID: trial.id, state: .complete, value: 1), "a failed trial cannot be completed")
    }
}

final class StudyLoopTests: XCTestCase {
    /// An objective that returns NaN records FAIL trials (they do not count towards n_trials), and one call runs at
    /// most n_trials of them, as `study.optimize(n_trials=…)` does.
    func testFailingTrialsDoNotLoopForever() throws {
        let storage = try StudyStorage(path: try TuneFixtures.temporaryDirectory("nan") + "/study.db")
        let study = try Study(storage: storage, settings: StudySettings(
            name: "n", direction: .minimize, nTrials: 3, space: try SearchSpace(["x": .int(low: 0, high: 3, step: 1, log: false)]),
            sampler: RandomSampler(seed: 0), pruner: NoPruner()))
        let (ran, _) = try study.optimize { _ in .nan }
        XCTAssertEqual(ran, [0, 1, 2])
        XCTAssertEqual(try study.trials().map(\.state), [.fail, .fail, .fail])
        XCTAssertEqual(try study.trials().first?.systemAttributes["fail_reason"], #""The objective function returned nan.""#)
        let (more, _) = try study.optimize { t in Double(t.number) }
        XCTAssertEqual(more, [3, 4, 5], "a rerun continues to 3 COMPLETE trials")
    }
}

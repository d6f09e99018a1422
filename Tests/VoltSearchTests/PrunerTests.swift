import Foundation
import XCTest
import VoltSearch

final class PrunerTests: XCTestCase {
    func record(_ number: Int, _ state: TrialState, curve: [Double], attributes: [String: String] = [:]) -> TrialRecord {
        TrialRecord(id: Int64(number + 1), number: number, state: state, value: curve.last, start: nil, complete: nil, params: [:],
                    intermediateValues: Dictionary(uniqueKeysWithValues: curve.enumerated().map { ($0.offset, $0.element) }),
                    userAttributes: [:], systemAttributes: attributes)
    }

    /// After five complete trials the median pruner stops the trial whose curve is worst, at its first report, and
    /// lets a trial below the median go on; before five it prunes nothing.
    func testMedianPrunerPrunesTheWorstCurve() {
        let done = (0..<5).map { record($0, .complete, curve: [4.0 - Double($0) * 0.1, 3.5, 3.0, 2.5]) }
        let pruner = MedianPruner()
        let worst = record(5, .running, curve: [9.0])
        XCTAssertTrue(pruner.prune(trial: worst, trials: done + [worst], direction: .minimize).prune)
        XCTAssertFalse(pruner.prune(trial: worst, trials: Array(done.prefix(4)) + [worst], direction: .minimize).prune,
                       "n_startup_trials 5")
        let good = record(6, .running, curve: [3.0, 2.0])
        XCTAssertFalse(pruner.prune(trial: good, trials: done + [good], direction: .minimize).prune)
        XCTAssertTrue(pruner.prune(trial: worst, trials: done + [worst], direction: .minimize).prune)
        XCTAssertFalse(pruner.prune(trial: worst, trials: done + [worst], direction: .maximize).prune, "9 is best when maximizing")
        XCTAssertEqual(MedianPruner.percentile([1, 2, 3, 10], 50), 2.5)
    }

    /// A study whose trials report curves prunes the worst ones through the median pruner and records them PRUNED with
    /// their intermediate values and their last value as the trial's value, as Optuna does.
    func testStudyRecordsPrunedTrialsWithIntermediateValues() throws {
        let storage = try StudyStorage(path: try TuneFixtures.temporaryDirectory("prune") + "/study.db")
        let space = try SearchSpace(["offset": .int(low: 0, high: 9, step: 1, log: false)])
        // Trial n's curve is offset(n) + 1/(step+1): the 6th trial onwards is pruned if its offset is above the median.
        let study = try Study(storage: storage, settings: StudySettings(name: "p", direction: .minimize, nTrials: 12, space: space,
                                                                        sampler: RandomSampler(seed: 4), pruner: MedianPruner()))
        try study.optimize { t in
            let offset = t.params["offset"]?.double ?? 0
            var value = 0.0
            for step in 0..<4 {
                value = offset + 1 / Double(step + 1)
                if try t.report(value, step: step) { break }
            }
            return value
        }
        let trials = try study.trials()
        let pruned = trials.filter { $0.state == .pruned }
        XCTAssertFalse(pruned.isEmpty, "some trial was pruned")
        XCTAssertTrue(trials.prefix(5).allSatisfy { $0.state == .complete }, "no pruning before 5 complete trials")
        for t in pruned {
            let completeBefore = trials.filter { $0.state == .complete && $0.number < t.number }
            let median = MedianPruner.percentile(completeBefore.compactMap { $0.intermediateValues[0] }, 50)
            XCTAssertGreaterThan(t.intermediateValues[0] ?? 0, median, "trial \(t.number)")
            XCTAssertEqual(t.value, t.intermediateValues[t.lastStep ?? -1])
            XCTAssertLessThan(t.intermediateValues.count, 4, "stopped early")
        }
    }

    /// Successive halving (η = 4, min resource 1) promotes a trial into the next rung only if it is in the best quarter
    /// of the values that reached the rung, and records `completed_rung_N` as Optuna does.
    func testSuccessiveHalvingPromotesTheBestQuarter() {
        let pruner = SuccessiveHalvingPruner(minResource: 1)
        let others = (0..<7).map { record($0, .complete, curve: [1, 1], attributes: ["completed_rung_0": "\(Double($0) + 1)"]) }
        let bad = record(7, .running, curve: [5, 4.5])
        let d = pruner.prune(trial: bad, trials: others + [bad], direction: .minimize)
        XCTAssertTrue(d.prune)
        XCTAssertEqual(d.systemAttributes, ["completed_rung_0": 4.5])
        let good = record(8, .running, curve: [5, 0.5])
        let g = pruner.prune(trial: good, trials: others + [good], direction: .minimize)
        XCTAssertFalse(g.prune, "0.5 is the best value at rung 0")
        XCTAssertFalse(pruner.prune(trial: record(9, .running, curve: [5]), trials: others, direction: .minimize).prune,
                       "step 0 is below the first rung's step 1")
    }
}

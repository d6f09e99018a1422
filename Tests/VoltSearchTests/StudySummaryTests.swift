import Foundation
import XCTest
import VoltSearch

final class StudySummaryTests: XCTestCase {
    /// An objective that depends on x alone gives x almost all the importance; the summary names the best trial and
    /// the table and SVG hold every trial.
    func testImportanceTableAndPlot() throws {
        let storage = try StudyStorage(path: try TuneFixtures.temporaryDirectory("summary") + "/study.db")
        let space = try SearchSpace(["x": .float(low: -1, high: 1, step: nil, log: false),
                                     "y": .categorical([.string("a"), .string("b")])])
        let study = try Study(storage: storage, settings: StudySettings(name: "imp", direction: .minimize, nTrials: 30, space: space,
                                                                        sampler: RandomSampler(seed: 5), pruner: NoPruner()))
        try study.optimize { t in pow(t.params["x"]?.double ?? 0, 2) }
        let trials = try study.trials()
        let importances = ParameterImportance.evaluate(trials: trials, space: space)
        XCTAssertGreaterThan(importances["x"] ?? 0, 0.9)
        XCTAssertEqual((importances["x"] ?? 0) + (importances["y"] ?? 0), 1, accuracy: 1e-12)
        let summary = try StudySummary(study: study, storageURL: "sqlite:///" + storage.path, plot: nil)
        let best = try XCTUnwrap(summary.best)
        XCTAssertEqual(best.value, trials.compactMap(\.value).min())
        XCTAssertEqual(summary.table.split(separator: "\n").count, 31, "a header and one row per trial")
        let svg = StudyPlot.svg(trials: trials, direction: .minimize, importances: importances, title: "imp")
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 30)
        XCTAssertTrue(svg.hasPrefix("<?xml") && svg.contains("\n<svg ") && svg.hasSuffix("</svg>\n"), svg)
    }
}

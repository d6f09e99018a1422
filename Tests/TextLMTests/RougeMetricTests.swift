import XCTest
import TextLM
import VoltText

final class RougeMetricTests: XCTestCase {
    let predictions = ["the cat sat on the mat", "a quick brown fox", "", "running runners ran\nfast dogs"]
    let targets = ["the cat is on the mat", "the quick brown fox jumps", "nothing here", "runners run\nfast"]

    /// Each value is the mean of rouge-score's per-example F-measures (VoltText's scorer, itself equal to
    /// rouge-score), with and without stemming.
    func testTheMetricEqualsTheScorersMeanFMeasure() {
        for stem in [false, true] {
            let metric = RougeMetric(prefix: "val_", useStemmer: stem)
            metric.update(predictions: Array(predictions[..<2]), targets: Array(targets[..<2]))
            metric.update(predictions: Array(predictions[2...]), targets: Array(targets[2...]))
            let values = metric.compute()
            let scorer = RougeScorer(types: RougeMetric.types, useStemmer: stem)
            let scores = zip(predictions, targets).map { scorer.score(target: $1, prediction: $0) }
            for type in RougeMetric.types {
                let mean = scores.map { $0[type]!.fmeasure }.reduce(0, +) / Double(scores.count)
                XCTAssertEqual(try XCTUnwrap(values["val_" + type.description]), mean, accuracy: 1e-12, "\(type) stem \(stem)")
            }
            XCTAssertEqual(Set(values.keys), ["val_rouge1", "val_rouge2", "val_rougeL", "val_rougeLsum"])
        }
    }

    /// Two ranks' states summed give the values of all their examples (what the all-reduce computes).
    func testSummedStatesGiveTheValuesOfAllExamples() {
        let all = RougeMetric(), a = RougeMetric(), b = RougeMetric()
        all.update(predictions: predictions, targets: targets)
        a.update(predictions: Array(predictions[..<1]), targets: Array(targets[..<1]))
        b.update(predictions: Array(predictions[1...]), targets: Array(targets[1...]))
        let summed = zip(a.state, b.state).map(+)
        let expected = all.compute(), actual = a.compute(state: summed)
        for (key, value) in expected { XCTAssertEqual(actual[key]!, value, accuracy: 1e-12, key) }
        a.reset()
        XCTAssertTrue(a.compute()["val_rouge1"]!.isNaN)
    }
}

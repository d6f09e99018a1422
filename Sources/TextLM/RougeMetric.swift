import Volt
import VoltText

/// ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum as a `Metric`: the mean over examples of each variant's
/// F-measure (what `evaluate.load("rouge")` reports, as `rouge-score` computes each example), logged as
/// `<prefix>rouge1`, `<prefix>rouge2`, `<prefix>rougeL` and `<prefix>rougeLsum`.
///
/// The state is the four sums of F-measures and the number of examples, so ranks' states add up to the state of
/// all their examples. With no example yet the values are NaN.
public final class RougeMetric: Metric {
    /// The four variants, in state order.
    public static let types: [RougeType] = [.ngram(1), .ngram(2), .longestCommonSubsequence, .summaryLongestCommonSubsequence]

    /// Prepended to each variant's name (`val_`).
    public let prefix: String
    /// The scorer (`rouge-score`'s tokenizer, with or without stemming).
    public let scorer: RougeScorer
    private var sums = [Double](repeating: 0, count: RougeMetric.types.count + 1)

    /// A metric whose values are named `prefix` + `rouge1`, …; `useStemmer` as `rouge-score`'s `use_stemmer`.
    public init(prefix: String = "val_", useStemmer: Bool = false) {
        self.prefix = prefix
        scorer = RougeScorer(types: Self.types, useStemmer: useStemmer)
    }

    /// Adds one example per (prediction, target) pair.
    public func update(predictions: [String], targets: [String]) {
        precondition(predictions.count == targets.count, "RougeMetric.update: \(predictions.count) predictions for \(targets.count) targets")
        for (prediction, target) in zip(predictions, targets) {
            let scores = scorer.score(target: target, prediction: prediction)
            for (i, type) in Self.types.enumerated() { sums[i] += scores[type]?.fmeasure ?? 0 }
            sums[Self.types.count] += 1
        }
    }

    /// The sums of F-measures by variant, then the number of examples.
    public var state: [Double] { sums }
    /// Five: four sums and a count.
    public var stateCount: Int { Self.types.count + 1 }

    /// The mean F-measure of each variant.
    public func compute(state: [Double]) -> [String: Double] {
        let count = state[Self.types.count]
        var values: [String: Double] = [:]
        for (i, type) in Self.types.enumerated() { values[prefix + type.description] = count > 0 ? state[i] / count : .nan }
        return values
    }

    /// Forgets every example.
    public func reset() { sums = [Double](repeating: 0, count: stateCount) }
}

/// Precision, recall and F-measure of one ROUGE type, as `rouge_score.scoring.Score`.
public struct RougeScore: Equatable, Sendable, Codable {
    /// Matches over the prediction's count.
    public var precision: Double
    /// Matches over the target's count.
    public var recall: Double
    /// The harmonic mean of precision and recall (0 when both are 0).
    public var fmeasure: Double

    /// A score from its parts.
    public init(precision: Double, recall: Double, fmeasure: Double) {
        self.precision = precision
        self.recall = recall
        self.fmeasure = fmeasure
    }

    /// The score of `matches` over `predicted` and `target` counts (each at least 1, as rouge-score's n-grams).
    init(matches: Int, predicted: Int, target: Int) {
        let p = Double(matches) / Double(max(predicted, 1)), r = Double(matches) / Double(max(target, 1))
        self.init(precision: p, recall: r, fmeasure: p + r > 0 ? 2 * p * r / (p + r) : 0)
    }

    /// All zeros.
    public static let zero = RougeScore(precision: 0, recall: 0, fmeasure: 0)
}

/// A ROUGE variant, named as `rouge-score` names it.
public enum RougeType: Hashable, Sendable, CustomStringConvertible {
    /// `rougeN`: overlap of n-grams.
    case ngram(Int)
    /// `rougeL`: longest common subsequence over the whole text.
    case longestCommonSubsequence
    /// `rougeLsum`: summary-level LCS, sentences separated by newlines.
    case summaryLongestCommonSubsequence

    /// `rouge1`, `rouge2`, … `rouge9`, `rougeL`, `rougeLsum`; nil for another name.
    public init?(_ name: String) {
        switch name {
        case "rougeL": self = .longestCommonSubsequence
        case "rougeLsum": self = .summaryLongestCommonSubsequence
        default:
            guard name.hasPrefix("rouge"), name.count == 6, let n = Int(name.dropFirst(5)), n > 0 else { return nil }
            self = .ngram(n)
        }
    }

    public var description: String {
        switch self {
        case let .ngram(n): "rouge\(n)"
        case .longestCommonSubsequence: "rougeL"
        case .summaryLongestCommonSubsequence: "rougeLsum"
        }
    }
}

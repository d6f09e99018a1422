/// ROUGE as Google's `rouge-score` computes it (`rouge_scorer.RougeScorer` with its default tokenizer): text is
/// lower-cased, every character other than `a`–`z` and `0`–`9` separates tokens, tokens longer than three
/// characters are optionally Porter-stemmed (``PorterStemmer``), and `rougeLsum` splits sentences at newlines.
public struct RougeScorer: Sendable {
    /// The variants ``score(target:prediction:)`` computes.
    public let types: [RougeType]
    /// Whether tokens are stemmed.
    public let useStemmer: Bool
    private let stemmer = PorterStemmer()

    /// A scorer for `types` (e.g. `[.ngram(1), .ngram(2), .longestCommonSubsequence]`).
    public init(types: [RougeType], useStemmer: Bool = false) {
        self.types = types
        self.useStemmer = useStemmer
    }

    /// rouge-score's tokens of `text`.
    public func tokenize(_ text: String) -> [String] {
        var tokens: [String] = [], current: [UInt8] = []
        func finish() {
            guard !current.isEmpty else { return }
            let token = String(decoding: current, as: UTF8.self)
            tokens.append(useStemmer && current.count > 3 ? stemmer.stem(token) : token)
            current.removeAll(keepingCapacity: true)
        }
        for byte in text.lowercased().utf8 {
            if (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) { current.append(byte) } else { finish() }
        }
        finish()
        return tokens
    }

    /// The scores of `prediction` against `target`, by type.
    public func score(target: String, prediction: String) -> [RougeType: RougeScore] {
        let targetTokens = tokenize(target), predictionTokens = tokenize(prediction)
        var result: [RougeType: RougeScore] = [:]
        for type in types {
            switch type {
            case let .ngram(n):
                result[type] = Self.ngramScore(target: targetTokens, prediction: predictionTokens, n: n)
            case .longestCommonSubsequence:
                result[type] = Self.lcsScore(target: targetTokens, prediction: predictionTokens)
            case .summaryLongestCommonSubsequence:
                result[type] = Self.summaryLCSScore(target: sentences(target).map(tokenize),
                                                    prediction: sentences(prediction).map(tokenize))
            }
        }
        return result
    }

    /// The non-empty lines of `text` (split at `\n` only, as Python's `str.split("\n")`).
    private func sentences(_ text: String) -> [String] {
        text.utf8.split(separator: 0x0A, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    }

    static func ngramScore(target: [String], prediction: [String], n: Int) -> RougeScore {
        func counts(_ tokens: [String]) -> [ArraySlice<String>: Int] {
            var grams: [ArraySlice<String>: Int] = [:]
            if tokens.count >= n { for i in 0...(tokens.count - n) { grams[tokens[i..<(i + n)], default: 0] += 1 } }
            return grams
        }
        let t = counts(target), p = counts(prediction)
        let matches = t.reduce(0) { $0 + min($1.value, p[$1.key] ?? 0) }
        return RougeScore(matches: matches, predicted: p.values.reduce(0, +), target: t.values.reduce(0, +))
    }

    static func lcsScore(target: [String], prediction: [String]) -> RougeScore {
        guard !target.isEmpty, !prediction.isEmpty else { return .zero }
        let length = LCS.table(target, prediction).last!.last!
        return RougeScore(matches: length, predicted: prediction.count, target: target.count)
    }

    /// Summary-level LCS (ROUGE paper §3.2) with ROUGE-1.5.5's guard against counting a token twice.
    static func summaryLCSScore(target: [[String]], prediction: [[String]]) -> RougeScore {
        guard !target.isEmpty, !prediction.isEmpty else { return .zero }
        let m = target.reduce(0) { $0 + $1.count }, n = prediction.reduce(0) { $0 + $1.count }
        guard m > 0, n > 0 else { return .zero }
        var targetCounts: [String: Int] = [:], predictionCounts: [String: Int] = [:]
        for sentence in target { for token in sentence { targetCounts[token, default: 0] += 1 } }
        for sentence in prediction { for token in sentence { predictionCounts[token, default: 0] += 1 } }
        var hits = 0
        for reference in target {
            var union = Set<Int>()
            for candidate in prediction { union.formUnion(LCS.indices(reference, candidate)) }
            for index in union.sorted() {
                let token = reference[index]
                if predictionCounts[token, default: 0] > 0 && targetCounts[token, default: 0] > 0 {
                    hits += 1
                    predictionCounts[token]! -= 1
                    targetCounts[token]! -= 1
                }
            }
        }
        return RougeScore(matches: hits, predicted: n, target: m)
    }
}

/// Longest common subsequences, with rouge-score's table and its backtracking order (which picks one LCS among
/// equals, and so decides `rougeLsum`'s union).
enum LCS {
    static func table(_ reference: [String], _ candidate: [String]) -> [[Int]] {
        var t = [[Int]](repeating: [Int](repeating: 0, count: candidate.count + 1), count: reference.count + 1)
        for i in stride(from: 1, through: reference.count, by: 1) {
            for j in stride(from: 1, through: candidate.count, by: 1) {
                t[i][j] = reference[i - 1] == candidate[j - 1] ? t[i - 1][j - 1] + 1 : max(t[i - 1][j], t[i][j - 1])
            }
        }
        return t
    }

    /// Positions in `reference` of one longest common subsequence.
    static func indices(_ reference: [String], _ candidate: [String]) -> [Int] {
        let t = table(reference, candidate)
        var i = reference.count, j = candidate.count, out: [Int] = []
        while i > 0 && j > 0 {
            if reference[i - 1] == candidate[j - 1] {
                out.append(i - 1)
                i -= 1
                j -= 1
            } else if t[i][j - 1] > t[i - 1][j] {
                j -= 1
            } else {
                i -= 1
            }
        }
        return out.reversed()
    }
}

import Foundation

/// How much of the objective's variance each parameter explains, from the COMPLETE trials: the correlation ratio
/// η² = between-group variance / total variance, grouping trials by the parameter's value (each choice of a
/// categorical; up to 4 equal-count bins of a numerical parameter, in log space when `log`), normalised to sum 1.
///
/// This is a one-parameter-at-a-time measure (no interactions), cheaper and cruder than Optuna's default fANOVA,
/// which fits a random forest and decomposes its variance.
public enum ParameterImportance {
    /// The method's name, for reports.
    public static let method = "correlation ratio (eta squared) per parameter, normalised; not fANOVA"

    /// Importances by parameter name (empty with fewer than 2 complete trials or a constant objective).
    public static func evaluate(trials: [TrialRecord], space: SearchSpace) -> [String: Double] {
        let complete = trials.filter { $0.state == .complete && ($0.value?.isFinite ?? false) }
        guard complete.count >= 2 else { return [:] }
        var raw: [String: Double] = [:]
        for (name, distribution) in space.parameters {
            let pairs = complete.compactMap { t -> (Double, Double)? in
                guard let p = t.params[name], let v = t.value else { return nil }
                return (ParzenEstimator.isLog(distribution) && p.internalValue > 0 ? log(p.internalValue) : p.internalValue, v)
            }
            guard pairs.count >= 2 else { continue }
            raw[name] = etaSquared(pairs, categorical: { if case .categorical = distribution { return true }; return false }())
        }
        let total = raw.values.reduce(0, +)
        guard total > 0 else { return [:] }
        return raw.mapValues { $0 / total }
    }

    static func etaSquared(_ pairs: [(x: Double, y: Double)], categorical: Bool) -> Double {
        let mean = pairs.map(\.y).reduce(0, +) / Double(pairs.count)
        let totalSS = pairs.reduce(0) { $0 + ($1.y - mean) * ($1.y - mean) }
        guard totalSS > 0 else { return 0 }
        var groups: [Int: [Double]] = [:]
        if categorical {
            for p in pairs { groups[Int(p.x.rounded()), default: []].append(p.y) }
        } else {
            let sorted = pairs.sorted { $0.x < $1.x }
            let bins = min(4, Set(sorted.map(\.x)).count)
            for (rank, p) in sorted.enumerated() { groups[rank * bins / sorted.count, default: []].append(p.y) }
        }
        let between = groups.values.reduce(0.0) { sum, ys in
            let m = ys.reduce(0, +) / Double(ys.count)
            return sum + Double(ys.count) * (m - mean) * (m - mean)
        }
        return between / totalSS
    }
}

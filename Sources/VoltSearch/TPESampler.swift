import Foundation

/// Optuna's `TPESampler` with its defaults (independent sampling per parameter, as `multivariate=False`):
/// the first `startupTrials` trials are random; after that the finished trials are split into the best
/// γ(n) = min(⌈0.1·n⌉, 25) ("below": complete trials by value, then pruned trials by how far and how well they got)
/// and the rest ("above"), a ``ParzenEstimator`` is fitted to each, `eiCandidates` values are drawn from the "below"
/// estimator, and the one with the largest log l(x) − log g(x) is taken.
public struct TPESampler: Sampler {
    /// The study's seed.
    public let seed: UInt64
    /// Random trials first. Default 10.
    public let startupTrials: Int
    /// Candidates drawn per parameter. Default 24.
    public let eiCandidates: Int

    /// A sampler with Optuna's defaults.
    public init(seed: UInt64, startupTrials: Int = 10, eiCandidates: Int = 24) {
        self.seed = seed
        self.startupTrials = startupTrials
        self.eiCandidates = eiCandidates
    }

    /// Optuna's `default_gamma`.
    public static func gamma(_ n: Int) -> Int { Swift.min(Int((0.1 * Double(n)).rounded(.up)), 25) }

    public func sample(space: SearchSpace, trials: [TrialRecord], number: Int, direction: StudyDirection) throws -> SampledTrial? {
        let finished = trials.filter { $0.state == .complete || $0.state == .pruned }
        guard finished.count >= startupTrials else {
            return try RandomSampler(seed: seed).sample(space: space, trials: trials, number: number, direction: direction)
        }
        var rng = TuneRandom(seed: seed, trial: number)
        let (below, above) = Self.split(finished, count: Self.gamma(finished.count), direction: direction)
        var params: [(String, TrialParameter)] = []
        for (name, distribution) in space.parameters {
            let estimatorBelow = ParzenEstimator(observations: Self.observations(below, name, distribution), distribution: distribution)
            let estimatorAbove = ParzenEstimator(observations: Self.observations(above, name, distribution), distribution: distribution)
            let candidates = estimatorBelow.sample(&rng, count: eiCandidates)
            var best = candidates[0], bestScore = -Double.infinity
            for x in candidates {
                let score = estimatorBelow.logPDF(x) - estimatorAbove.logPDF(x)
                if score > bestScore { best = x; bestScore = score }
            }
            params.append((name, TrialParameter(internalValue: best, distribution: distribution)))
        }
        return SampledTrial(params: params)
    }

    /// Internal values of `name` in `trials` (in number order), converted into `distribution`'s form through the
    /// external value, as Optuna's `_get_internal_repr` does.
    static func observations(_ trials: [TrialRecord], _ name: String, _ distribution: ParameterDistribution) -> [Double] {
        trials.compactMap { t in t.params[name].flatMap { distribution.internalValue($0.value) ?? Self.numeric($0, distribution) } }
    }

    /// A numerical value outside the configured range (the range changed between runs) still informs the estimator.
    static func numeric(_ p: TrialParameter, _ distribution: ParameterDistribution) -> Double? {
        if case .categorical = distribution { return nil }
        guard let v = p.value.double, v.isFinite else { return nil }
        return ParzenEstimator.isLog(distribution) && v <= 0 ? nil : v
    }

    /// Optuna's `_split_trials` for one objective: the best `count` complete trials, then pruned trials ranked by
    /// (−last step, last value), make "below"; both halves come back in number order.
    static func split(_ trials: [TrialRecord], count: Int, direction: StudyDirection) -> (below: [TrialRecord], above: [TrialRecord]) {
        let complete = trials.filter { $0.state == .complete }
        let pruned = trials.filter { $0.state == .pruned }
        let sign = direction == .minimize ? 1.0 : -1.0
        let sortedComplete = complete.enumerated().sorted {
            let a = sign * ($0.element.value ?? .nan), b = sign * ($1.element.value ?? .nan)
            return a < b || (a == b && $0.offset < $1.offset)
        }.map(\.element)
        let nComplete = Swift.min(count, sortedComplete.count)
        func prunedScore(_ t: TrialRecord) -> (Double, Double) {
            guard let step = t.lastStep, let v = t.intermediateValues[step] else { return (1, 0) }
            return v.isNaN ? (Double(-step), .infinity) : (Double(-step), sign * v)
        }
        let sortedPruned = pruned.enumerated().sorted {
            let a = prunedScore($0.element), b = prunedScore($1.element)
            return a < b || (a == b && $0.offset < $1.offset)
        }.map(\.element)
        let nPruned = Swift.min(Swift.max(0, count - nComplete), sortedPruned.count)
        let below = Array(sortedComplete.prefix(nComplete)) + Array(sortedPruned.prefix(nPruned))
        let above = Array(sortedComplete.dropFirst(nComplete)) + Array(sortedPruned.dropFirst(nPruned))
        return (below.sorted { $0.number < $1.number }, above.sorted { $0.number < $1.number })
    }
}

import Foundation

/// Optuna's univariate Parzen estimator (`optuna/samplers/_tpe/parzen_estimator.py`) with TPE's defaults:
/// prior weight 1.0, magic clip on, endpoints not considered, `default_weights` (flat up to 25 observations, a
/// linear ramp for older ones beyond).
///
/// A numerical parameter is a mixture of truncated normals, one per observation (in log space when `log`) plus a
/// prior kernel at the range's centre with σ = the range; a stepped parameter (every int) integrates each kernel
/// over its step. A categorical one is a mixture of smoothed one-hot rows.
public struct ParzenEstimator: Sendable {
    /// The prior kernel's weight.
    static let priorWeight = 1.0

    /// The parameter's distribution.
    public let distribution: ParameterDistribution
    /// Normalised kernel weights (observations, then the prior).
    public let weights: [Double]
    /// Numerical kernels: centres and widths in the transformed space.
    let mus: [Double]
    let sigmas: [Double]
    /// Categorical kernels: one probability row per kernel.
    let rows: [[Double]]

    /// Optuna's `default_weights(n)`.
    static func defaultWeights(_ n: Int) -> [Double] {
        if n == 0 { return [] }
        if n < 25 { return Array(repeating: 1, count: n) }
        let rampCount = n - 25
        let ramp = (0..<rampCount).map { i in rampCount == 1 ? 1.0 / Double(n) : 1.0 / Double(n) + (1.0 - 1.0 / Double(n)) * Double(i) / Double(rampCount - 1) }
        return ramp + Array(repeating: 1, count: 25)
    }

    /// An estimator of `observations` (internal values, oldest first).
    public init(observations: [Double], distribution: ParameterDistribution) {
        self.distribution = distribution
        var w = Self.defaultWeights(observations.count)
        w = observations.isEmpty ? [1.0] : w + [Self.priorWeight]
        let total = w.reduce(0, +)
        weights = w.map { $0 / total }
        switch distribution {
        case let .categorical(choices):
            let n = choices.count
            if observations.isEmpty {
                rows = [Array(repeating: 1.0 / Double(n), count: n)]
            } else {
                let kernels = observations.count + 1
                var r = Array(repeating: Array(repeating: Self.priorWeight / Double(kernels), count: n), count: kernels)
                for (k, o) in observations.enumerated() {
                    let i = Int(o.rounded())
                    if r[k].indices.contains(i) { r[k][i] += 1 }
                }
                rows = r.map { row in
                    let s = row.reduce(0, +)
                    return row.map { $0 / (s == 0 ? 1 : s) }
                }
            }
            mus = []
            sigmas = []
        default:
            let (low, high) = Self.transformedBounds(distribution)
            let log = Self.isLog(distribution)
            let m = observations.map { log ? Foundation.log($0) : $0 }
            var s = Self.bandwidths(m, low: low, high: high)
            mus = m + [0.5 * (low + high)]
            s.append(high - low)
            sigmas = s
            rows = []
        }
    }

    static func isLog(_ d: ParameterDistribution) -> Bool {
        switch d {
        case let .float(_, _, _, log), let .int(_, _, _, log): log
        case .categorical: false
        }
    }

    static func step(_ d: ParameterDistribution) -> Double? {
        switch d {
        case let .float(_, _, step, _): step
        case let .int(_, _, step, _): Double(step)
        case .categorical: nil
        }
    }

    static func rawBounds(_ d: ParameterDistribution) -> (Double, Double) {
        switch d {
        case let .float(low, high, _, _): (low, high)
        case let .int(low, high, _, _): (Double(low), Double(high))
        case .categorical: (0, 0)
        }
    }

    /// The range widened by half a step, in log space when `log` (Optuna's `low`/`high` of the kernels, and the
    /// `adapted_low`/`adapted_high` the kernels are truncated to).
    static func transformedBounds(_ d: ParameterDistribution) -> (Double, Double) {
        var (low, high) = rawBounds(d)
        if let step = step(d) { low -= step / 2; high += step / 2 }
        return isLog(d) ? (Foundation.log(low), Foundation.log(high)) : (low, high)
    }

    /// Optuna's `compute_sigmas`: the larger gap to a sorted neighbour (the range ends count as neighbours), the
    /// outermost kernels taking their inner gap (consider_endpoints false), clipped to
    /// [range / min(100, 1 + kernels), range].
    static func bandwidths(_ mus: [Double], low: Double, high: Double) -> [Double] {
        guard !mus.isEmpty else { return [] }
        let order = mus.indices.sorted { mus[$0] < mus[$1] }
        var s: [Double] = [low]
        s.append(contentsOf: order.map { mus[$0] })
        s.append(high)
        var sorted: [Double] = []
        for i in 1..<(s.count - 1) { sorted.append(Swift.max(s[i] - s[i - 1], s[i + 1] - s[i])) }
        if s.count >= 4 {
            sorted[0] = s[2] - s[1]
            sorted[sorted.count - 1] = s[s.count - 2] - s[s.count - 3]
        }
        let maxSigma = high - low
        let minSigma = (high - low) / Swift.min(100.0, 1.0 + Double(mus.count + 1))
        var result = Array(repeating: 0.0, count: mus.count)
        for (rank, index) in order.enumerated() { result[index] = Swift.min(Swift.max(sorted[rank], minSigma), maxSigma) }
        return result
    }

    /// `count` internal values drawn from the mixture.
    public func sample(_ rng: inout TuneRandom, count: Int) -> [Double] {
        (0..<count).map { _ in
            let k = rng.index(weights: weights)
            if case let .categorical(choices) = distribution {
                return Double(Swift.min(rng.index(weights: rows[k]), choices.count - 1))
            }
            let (low, high) = Self.transformedBounds(distribution)
            let z = TruncatedNormal.sample((low - mus[k]) / sigmas[k], (high - mus[k]) / sigmas[k], rng.uniform())
            var x = mus[k] + sigmas[k] * z
            if Self.isLog(distribution) { x = Foundation.exp(x) }
            if let step = Self.step(distribution) {
                let (rawLow, rawHigh) = Self.rawBounds(distribution)
                x = Swift.min(Swift.max(rawLow + ((x - rawLow) / step).rounded() * step, rawLow), rawHigh)
            }
            return x
        }
    }

    /// log density (log mass for stepped and categorical parameters) of the mixture at internal value `x`.
    public func logPDF(_ x: Double) -> Double {
        var terms: [Double] = []
        terms.reserveCapacity(weights.count)
        if case .categorical = distribution {
            let i = Int(x.rounded())
            for (k, row) in rows.enumerated() { terms.append(Foundation.log(weights[k]) + Foundation.log(row.indices.contains(i) ? row[i] : 0)) }
        } else {
            let (low, high) = Self.transformedBounds(distribution)
            let log = Self.isLog(distribution)
            for k in weights.indices {
                let a = (low - mus[k]) / sigmas[k], b = (high - mus[k]) / sigmas[k]
                let term: Double
                if let step = Self.step(distribution) {
                    let left = log ? Foundation.log(x - step / 2) : x - step / 2
                    let right = log ? Foundation.log(x + step / 2) : x + step / 2
                    term = TruncatedNormal.logMass((left - mus[k]) / sigmas[k], (right - mus[k]) / sigmas[k]) - TruncatedNormal.logMass(a, b)
                } else {
                    let t = log ? Foundation.log(x) : x
                    term = TruncatedNormal.logPDF((t - mus[k]) / sigmas[k], a, b) - Foundation.log(sigmas[k])
                }
                terms.append(Foundation.log(weights[k]) + term)
            }
        }
        let m = terms.max() ?? -.infinity
        guard m.isFinite else { return m }
        return m + Foundation.log(terms.reduce(0) { $0 + Foundation.exp($1 - m) })
    }
}

import Foundation

/// Optuna's `RandomSampler`: each parameter uniform in its (log) range, seeded per trial.
public struct RandomSampler: Sampler {
    /// The study's seed.
    public let seed: UInt64

    /// A sampler with `seed`.
    public init(seed: UInt64) { self.seed = seed }

    public func sample(space: SearchSpace, trials: [TrialRecord], number: Int, direction: StudyDirection) throws -> SampledTrial? {
        var rng = TuneRandom(seed: seed, trial: number)
        return SampledTrial(params: space.parameters.map { ($0.name, TrialParameter(internalValue: Self.draw($0.distribution, &rng),
                                                                                    distribution: $0.distribution)) })
    }

    /// One uniform draw in internal form, as Optuna's `_SearchSpaceTransform` makes it: uniform over the range
    /// widened by half a step (log-transformed when `log`), then rounded onto the grid.
    public static func draw(_ distribution: ParameterDistribution, _ rng: inout TuneRandom) -> Double {
        switch distribution {
        case let .float(low, high, nil, log):
            return log ? Foundation.exp(rng.uniform(Foundation.log(low), Foundation.log(high))) : rng.uniform(low, high)
        case let .float(low, high, step?, _):
            let v = rng.uniform(low - step / 2, high + step / 2)
            return Swift.min(Swift.max(low + ((v - low) / step).rounded() * step, low), high)
        case let .int(low, high, step, log):
            let (lo, hi, s) = (Double(low), Double(high), Double(step))
            if log {
                let v = Foundation.exp(rng.uniform(Foundation.log(lo - 0.5), Foundation.log(hi + 0.5)))
                return Swift.min(Swift.max(v.rounded(), lo), hi)
            }
            let v = rng.uniform(lo - s / 2, hi + s / 2)
            return Swift.min(Swift.max(lo + ((v - lo) / s).rounded() * s, lo), hi)
        case let .categorical(choices):
            return Double(Swift.min(Int(rng.uniform() * Double(choices.count)), choices.count - 1))
        }
    }
}

import Foundation
import VoltInterop

/// Optuna's `GridSampler` over the space's grid (categorical choices, int steps, float steps): each trial takes
/// a grid point no COMPLETE, PRUNED or RUNNING trial holds (`grid_id` system attribute), drawn at random with the
/// trial's seed; when every point is taken the study is done.
public struct GridSampler: Sampler {
    /// The study's seed.
    public let seed: UInt64

    /// A grid sampler with `seed`.
    public init(seed: UInt64) { self.seed = seed }

    /// The grid size of `space`.
    ///
    /// - Throws: ``TuneError/invalidDistribution(name:reason:)`` for a float without a step.
    public static func gridSize(_ space: SearchSpace) throws -> Int {
        try space.parameters.reduce(1) { product, p in
            guard let values = p.distribution.gridValues else {
                throw TuneError.invalidDistribution(name: p.name, reason: "grid search needs a step for a float parameter")
            }
            return product * values.count
        }
    }

    public func sample(space: SearchSpace, trials: [TrialRecord], number: Int, direction: StudyDirection) throws -> SampledTrial? {
        let size = try Self.gridSize(space)
        let taken = Set(trials.filter { $0.state != .fail && $0.state != .waiting }
            .compactMap { $0.systemAttributes["grid_id"].flatMap { try? JSONValue.parse($0) }.flatMap { $0.double }.map { Int($0) } })
        let free = (0..<size).filter { !taken.contains($0) }
        guard !free.isEmpty else { return nil }
        var rng = TuneRandom(seed: seed, trial: number)
        let id = free[Swift.min(Int(rng.uniform() * Double(free.count)), free.count - 1)]
        var rest = id
        var params: [(String, TrialParameter)] = []
        for (name, distribution) in space.parameters.reversed() {
            let values = distribution.gridValues ?? []
            params.append((name, TrialParameter(internalValue: values[rest % values.count], distribution: distribution)))
            rest /= values.count
        }
        return SampledTrial(params: params.reversed(), systemAttributes: [("grid_id", .int(id))])
    }
}

import Foundation
import VoltInterop

/// What a sampler draws for a new trial: its parameters and the system attributes to store with them.
public struct SampledTrial: Sendable {
    /// Parameters in the space's order.
    public var params: [(String, TrialParameter)]
    /// Optuna system attributes (the grid sampler's `grid_id`).
    public var systemAttributes: [(String, JSONValue)] = []

    /// A sample.
    public init(params: [(String, TrialParameter)], systemAttributes: [(String, JSONValue)] = []) {
        self.params = params
        self.systemAttributes = systemAttributes
    }
}

/// Draws the parameters of trial `number` from the trials the study holds.
public protocol Sampler: Sendable {
    /// The parameters of trial `number`, or `nil` when the sampler has nothing left to try (an exhausted grid).
    func sample(space: SearchSpace, trials: [TrialRecord], number: Int, direction: StudyDirection) throws -> SampledTrial?
}

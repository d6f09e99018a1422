import GenSLM
import Volt

/// `tune.direction`.
public enum TuneDirection: String, ConfigurationChoice, Sendable {
    /// Smaller metric values are better.
    case minimize
    /// Larger metric values are better.
    case maximize
}

/// `tune.sampler`.
public enum TuneSamplerKind: String, ConfigurationChoice, Sendable {
    /// Optuna's tree-structured Parzen estimator.
    case tpe
    /// Independent uniform draws.
    case random
    /// Every point of the grid, in a seeded order.
    case grid
}

/// `tune.pruner`.
public enum TunePrunerKind: String, ConfigurationChoice, Sendable {
    /// Prune below the median of earlier trials at the same step.
    case median
    /// Asynchronous successive halving.
    case successiveHalving = "successive_halving"
    /// Never prune.
    case none
}

/// `tune.space.KEY.type`.
public enum SearchParameterKind: String, ConfigurationChoice, Sendable {
    /// A real number in [low, high].
    case float
    /// An integer in [low, high].
    case int
    /// One of `choices`.
    case categorical
}

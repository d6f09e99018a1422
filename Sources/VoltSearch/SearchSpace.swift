/// The parameters a study searches, by name, in a fixed order (the order draws are made in).
public struct SearchSpace: Equatable, Sendable {
    /// Names (dotted configuration keys) with their distributions.
    public private(set) var parameters: [(name: String, distribution: ParameterDistribution)]

    public static func == (a: SearchSpace, b: SearchSpace) -> Bool {
        a.parameters.count == b.parameters.count && zip(a.parameters, b.parameters).allSatisfy { $0.name == $1.name && $0.distribution == $1.distribution }
    }

    /// A space of `parameters` sorted by name, each validated (Optuna's range rules).
    ///
    /// - Throws: ``TuneError/invalidDistribution(name:reason:)`` naming the parameter.
    public init(_ parameters: [String: ParameterDistribution]) throws {
        self.parameters = try parameters.sorted { $0.key < $1.key }.map { ($0.key, try $0.value.validated(name: $0.key)) }
    }

    /// Checks the space against the parameters the study's trials already hold (Optuna's
    /// `check_distribution_compatibility`).
    ///
    /// - Throws: ``TuneError/incompatibleSpace(name:stored:configured:)``.
    public func checkCompatible(with trials: [TrialRecord]) throws {
        for (name, distribution) in parameters {
            for trial in trials {
                if let stored = trial.params[name], !stored.distribution.isCompatible(with: distribution) {
                    throw TuneError.incompatibleSpace(name: name, stored: stored.distribution.json, configured: distribution.json)
                }
            }
        }
    }
}

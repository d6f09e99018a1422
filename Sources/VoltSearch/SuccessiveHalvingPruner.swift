import Foundation
import VoltInterop

/// Optuna's `SuccessiveHalvingPruner` (asynchronous successive halving): at steps minResource·η^(s+r) a trial enters
/// rung r, and continues only if its value is in the best 1/η of the values that reached that rung so far.
public struct SuccessiveHalvingPruner: Pruner {
    /// Steps before the first rung; `nil` ("auto"): 1/100 of the longest complete trial's last step, at least 1.
    public let minResource: Int?
    /// η. Default 4.
    public let reductionFactor: Int
    /// s. Default 0.
    public let minEarlyStoppingRate: Int
    /// Trials that must reach a rung before any is promoted. Default 0.
    public let bootstrapCount: Int

    /// A pruner with Optuna's defaults.
    public init(minResource: Int? = nil, reductionFactor: Int = 4, minEarlyStoppingRate: Int = 0, bootstrapCount: Int = 0) {
        self.minResource = minResource
        self.reductionFactor = Swift.max(2, reductionFactor)
        self.minEarlyStoppingRate = minEarlyStoppingRate
        self.bootstrapCount = bootstrapCount
    }

    static func rungKey(_ rung: Int) -> String { "completed_rung_\(rung)" }

    public func prune(trial: TrialRecord, trials: [TrialRecord], direction: StudyDirection) -> PruningDecision {
        guard let step = trial.lastStep, let value = trial.intermediateValues[step] else { return .init(prune: false) }
        var rung = 0
        while trial.systemAttributes[Self.rungKey(rung)] != nil { rung += 1 }
        var resource = minResource
        if resource == nil {
            let steps = trials.filter { $0.state == .complete }.compactMap(\.lastStep)
            guard let longest = steps.max() else { return .init(prune: false) }
            resource = Swift.max(longest / 100, 1)
        }
        guard let minResource = resource else { return .init(prune: false) }
        var attributes: [String: Double] = [:]
        while true {
            let promotionStep = minResource * Int(pow(Double(reductionFactor), Double(minEarlyStoppingRate + rung)))
            if step < promotionStep { return .init(prune: false, systemAttributes: attributes) }
            if value.isNaN { return .init(prune: true, systemAttributes: attributes) }
            let key = Self.rungKey(rung)
            attributes[key] = value
            var competing = trials.filter { $0.id != trial.id }.compactMap { $0.systemAttributes[key].flatMap { try? JSONValue.parse($0).double } }
            competing.append(value)
            if competing.count <= bootstrapCount { return .init(prune: true, systemAttributes: attributes) }
            var promotable = competing.count / reductionFactor - 1
            if promotable == -1 { promotable = 0 }
            competing.sort()
            let keep = direction == .maximize ? value >= competing[competing.count - 1 - promotable] : value <= competing[promotable]
            if !keep { return .init(prune: true, systemAttributes: attributes) }
            rung += 1
        }
    }
}

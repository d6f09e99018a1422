/// Logs each optimizer's learning rate (`lr-Adam`, `lr-Adam/pg2`, …) — Lightning's `LearningRateMonitor`.
public final class LearningRateMonitor: Callback {
    /// When to log.
    public enum Interval: String, Sendable, ConfigurationChoice {
        /// After every optimizer step.
        case step
        /// At the end of every training epoch.
        case epoch
    }
    /// Logging interval.
    public let loggingInterval: Interval

    /// A monitor logging every optimizer step or every epoch.
    public init(loggingInterval: Interval = .step) { self.loggingInterval = loggingInterval }

    public func onOptimizerStep(_ trainer: Trainer) throws {
        if loggingInterval == .step, trainer.globalStep % trainer.logEveryNSteps == 0 { try log(trainer) }
    }

    public func onTrainEpochStart(_ trainer: Trainer) throws {
        if loggingInterval == .epoch { try log(trainer) }
    }

    /// The names and values Lightning would log.
    public func learningRates(_ trainer: Trainer) -> [String: Double] {
        var values: [String: Double] = [:]
        var seen: [String: Int] = [:]
        for optimizer in trainer.trainingOptimizers {
            let base = "lr-" + String(describing: type(of: optimizer.optimizer))
            seen[base, default: 0] += 1
            let name = seen[base]! > 1 ? "\(base)-\(seen[base]! - 1)" : base
            let groups = optimizer.optimizer.parameterGroups
            for (i, group) in groups.enumerated() {
                values[groups.count > 1 ? "\(name)/pg\(i + 1)" : name] = group.learningRate
            }
        }
        return values
    }

    private func log(_ trainer: Trainer) throws {
        try trainer.logToLoggers(learningRates(trainer), step: trainer.globalStep)
    }
}

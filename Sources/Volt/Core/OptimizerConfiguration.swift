import VoltNN

/// When a learning-rate scheduler steps under automatic optimization.
public enum SchedulerInterval: String, Sendable, Codable {
    /// After every optimizer step.
    case step
    /// After every training epoch.
    case epoch
}

/// A scheduler with its stepping rule (Lightning's `lr_scheduler_config`).
public struct SchedulerConfiguration {
    /// The scheduler.
    public var scheduler: LearningRateScheduler
    /// When it steps.
    public var interval: SchedulerInterval
    /// Every how many intervals.
    public var frequency: Int

    /// A configuration.
    public init(_ scheduler: LearningRateScheduler, interval: SchedulerInterval = .epoch, frequency: Int = 1) {
        self.scheduler = scheduler
        self.interval = interval
        self.frequency = frequency
    }
}

/// What ``TrainingModule/configureOptimizers()`` returns.
public struct OptimizerConfiguration {
    /// The optimizers, in the order `context.optimizers` lists them.
    public var optimizers: [any Optimizer]
    /// The schedulers.
    public var schedulers: [SchedulerConfiguration]

    /// One optimizer, optionally with schedulers.
    public init(_ optimizer: any Optimizer, schedulers: [SchedulerConfiguration] = []) {
        optimizers = [optimizer]
        self.schedulers = schedulers
    }

    /// Several optimizers and schedulers.
    public init(optimizers: [any Optimizer], schedulers: [SchedulerConfiguration] = []) {
        self.optimizers = optimizers
        self.schedulers = schedulers
    }
}

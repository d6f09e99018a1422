/// What a fit reports at the end.
public struct FitSummary: Codable, Sendable {
    /// Path of the best checkpoint (empty when none was saved).
    public var bestModelPath: String
    /// Its monitored score (validation loss by default).
    public var bestModelScore: Double?
    /// The metric the score is of.
    public var monitor: String?
    /// Optimizer steps taken.
    public var globalStep: Int
    /// The log directory of this run.
    public var logDirectory: String

    /// The summary of `trainer`'s last fit, from its first ``ModelCheckpoint``.
    public init(_ trainer: Trainer) {
        let best = trainer.checkpointCallback
        bestModelPath = best?.bestModelPath ?? ""
        bestModelScore = best?.bestModelScore
        monitor = best?.monitor
        globalStep = trainer.globalStep
        logDirectory = trainer.logDirectory
    }
}

import Foundation

/// A learning-rate schedule: the factor applied to each group's initial learning rate after `step` scheduler
/// steps, as PyTorch's `LambdaLR` family and transformers' `get_*_schedule_with_warmup`.
public enum LearningRateSchedule: Sendable, Equatable, Codable {
    /// Always 1.
    case constant
    /// Linear rise from 0 over `warmupSteps`, then linear decay to 0 at `totalSteps`.
    case linearWarmupDecay(warmupSteps: Int, totalSteps: Int)
    /// Linear rise over `warmupSteps`, then half a cosine down to 0 at `totalSteps`.
    case cosineWithWarmup(warmupSteps: Int, totalSteps: Int)
    /// Multiplied by `gamma` every `stepSize` steps.
    case step(stepSize: Int, gamma: Double)

    /// The factor after `step` steps.
    public func factor(at step: Int) -> Double {
        switch self {
        case .constant:
            return 1
        case let .linearWarmupDecay(warmup, total):
            if step < warmup { return Double(step) / Double(Swift.max(1, warmup)) }
            return Swift.max(0, Double(total - step) / Double(Swift.max(1, total - warmup)))
        case let .cosineWithWarmup(warmup, total):
            if step < warmup { return Double(step) / Double(Swift.max(1, warmup)) }
            let progress = Double(step - warmup) / Double(Swift.max(1, total - warmup))
            return Swift.max(0, 0.5 * (1 + cos(Double.pi * progress)))
        case let .step(size, gamma):
            return pow(gamma, Double(step / Swift.max(1, size)))
        }
    }
}

/// Drives an optimizer's learning rates along a ``LearningRateSchedule``.
public final class LearningRateScheduler {
    /// The optimizer whose groups are updated.
    public let optimizer: any Optimizer
    /// The schedule.
    public let schedule: LearningRateSchedule
    /// Steps taken so far.
    public private(set) var stepCount: Int

    /// Attaches a schedule and sets the learning rates for step 0.
    public init(_ optimizer: any Optimizer, schedule: LearningRateSchedule) {
        self.optimizer = optimizer
        self.schedule = schedule
        self.stepCount = 0
        apply()
    }

    /// Advances one step and updates the learning rates.
    public func step() {
        stepCount += 1
        apply()
    }

    /// The current learning rate of each group.
    public var learningRates: [Double] { optimizer.parameterGroups.map(\.learningRate) }

    /// The scheduler's state for checkpoints.
    public var state: [String: Double] { ["last_epoch": Double(stepCount)] }

    /// Restores a state saved with ``state``.
    public func load(state: [String: Double]) {
        stepCount = Int(state["last_epoch"] ?? 0)
        apply()
    }

    private func apply() {
        let f = schedule.factor(at: stepCount)
        for i in optimizer.parameterGroups.indices {
            optimizer.parameterGroups[i].learningRate = optimizer.parameterGroups[i].initialLearningRate * f
        }
    }
}

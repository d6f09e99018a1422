import Foundation

/// How the learning-rate finder raises the learning rate from one optimizer step to the next.
public enum LearningRateSweepMode: String, Sendable, Codable, CaseIterable {
    /// Evenly spaced in log space (Lightning's default).
    case exponential
    /// Evenly spaced.
    case linear
}

/// The learning rates of a range test: step 0 uses ``minLR``, step `numTraining - 1` uses ``maxLR``.
///
/// Lightning's schedulers reach the same end points but skip the second rate of the ladder (its step 1 uses the
/// rate of `r = 2/numTraining`); Volt's ladder is evenly spaced from the first step to the last.
public struct LearningRateSweep: Sendable, Equatable, Codable {
    /// The first learning rate.
    public var minLR: Double
    /// The last learning rate.
    public var maxLR: Double
    /// Optimizer steps in the sweep (at most; it stops early when the loss diverges).
    public var numTraining: Int
    /// The spacing.
    public var mode: LearningRateSweepMode

    /// A sweep.
    ///
    /// - Throws: ``TunerError/invalidArgument(_:)`` unless `0 < minLR < maxLR` (finite) and `numTraining ≥ 2`.
    public init(minLR: Double = 1e-8, maxLR: Double = 1, numTraining: Int = 100,
                mode: LearningRateSweepMode = .exponential) throws(TunerError) {
        guard minLR.isFinite, maxLR.isFinite, minLR > 0, maxLR > minLR else {
            throw .invalidArgument("the learning-rate range needs 0 < min_lr < max_lr, got min_lr \(minLR), max_lr \(maxLR)")
        }
        guard numTraining >= 2 else { throw .invalidArgument("num_training must be at least 2, got \(numTraining)") }
        self.minLR = minLR
        self.maxLR = maxLR
        self.numTraining = numTraining
        self.mode = mode
    }

    /// The learning rate of optimizer step `step` (0-based).
    public func learningRate(at step: Int) -> Double {
        let r = Double(Swift.min(Swift.max(step, 0), numTraining - 1)) / Double(numTraining - 1)
        switch mode {
        case .exponential: return minLR * Foundation.pow(maxLR / minLR, r)
        case .linear: return minLR + r * (maxLR - minLR)
        }
    }
}

/// The exponential moving average of the loss with bias correction that the learning-rate finder records
/// (`beta` 0.98 as in Lightning and fastai).
///
/// After `k` values, the average is divided by `1 - beta^k`, so the first recorded value is the loss itself.
/// (Lightning divides by `1 - beta^(global_step + 1)` with `global_step` already counting the step, one power
/// too many, which halves its first smoothed value; Volt does not copy that.)
struct LossSmoother {
    let beta: Double
    private var average = 0.0
    private(set) var count = 0

    init(beta: Double = 0.98) { self.beta = beta }

    /// Adds a loss and returns the smoothed value.
    mutating func add(_ loss: Double) -> Double {
        average = beta * average + (1 - beta) * loss
        count += 1
        return average / (1 - Foundation.pow(beta, Double(count)))
    }
}

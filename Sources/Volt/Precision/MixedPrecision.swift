import VoltTensor

/// Mixed precision: float32 master weights and optimizer state, activations kept for backward in half precision,
/// and for float16 a dynamic loss scale (PyTorch's `GradScaler`: start at 2¹⁶, halve and skip the step on inf/NaN
/// gradients, double after `growthInterval` clean steps).
public final class MixedPrecision: PrecisionPlugin {
    /// `.fp16` or `.bf16`.
    public let precision: Precision
    /// Current loss scale (1 for bfloat16, which has float32's range).
    public private(set) var lossScale: Double
    /// Clean steps since the scale last changed.
    public private(set) var growthTracker = 0
    /// What the loss scale is multiplied by after `growthInterval` clean steps (float16 only). Default 2.
    public let growthFactor: Double
    /// What the loss scale is multiplied by when a step's gradients overflow (float16 only). Default 0.5.
    public let backoffFactor: Double
    /// Clean steps before the loss scale grows. Default 2000.
    public let growthInterval: Int
    /// Steps skipped because of overflow.
    public private(set) var skippedSteps = 0

    /// A plugin for `.fp16` or `.bf16`.
    public init(_ precision: Precision, initialScale: Double = 65_536, growthFactor: Double = 2, backoffFactor: Double = 0.5,
                growthInterval: Int = 2000) {
        precondition(precision != .fp32, "MixedPrecision is for fp16 or bf16")
        self.precision = precision
        lossScale = precision == .fp16 ? initialScale : 1
        self.growthFactor = growthFactor
        self.backoffFactor = backoffFactor
        self.growthInterval = growthInterval
    }

    private var scales: Bool { precision == .fp16 }

    public var autocast: Autocast { precision == .fp16 ? .float16 : .bfloat16 }

    public func backward(_ loss: Tensor) {
        (scales ? loss * Float(lossScale) : loss).backward()
    }

    public func unscale(_ parameters: [Tensor]) {
        guard scales else { return }
        let inverse = Float(1 / lossScale)
        for g in parameters.compactMap(\.grad) { FloatBuffer.axpby(0, g.floatPointer, inverse, g.floatPointer, count: g.count) }
    }

    public var skipsNonFiniteSteps: Bool { scales }

    public func shouldStep(gradientsFinite finite: Bool) -> Bool {
        guard scales else { return true }
        if finite {
            growthTracker += 1
            if growthTracker >= growthInterval {
                lossScale *= growthFactor
                growthTracker = 0
            }
        } else {
            lossScale *= backoffFactor
            growthTracker = 0
            skippedSteps += 1
        }
        return finite
    }

    public var state: [String: Double] {
        scales ? ["loss_scale": lossScale, "growth_tracker": Double(growthTracker), "skipped_steps": Double(skippedSteps)] : [:]
    }

    public func load(state: [String: Double]) {
        guard scales else { return }
        lossScale = state["loss_scale"] ?? lossScale
        growthTracker = Int(state["growth_tracker"] ?? 0)
        skippedSteps = Int(state["skipped_steps"] ?? 0)
    }
}

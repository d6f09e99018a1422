import VoltTensor

/// Numeric precision of training.
public enum Precision: String, Sendable, ConfigurationChoice {
    /// Everything in float32.
    case fp32
    /// Mixed: float32 master weights, float16 activations, dynamic loss scaling.
    case fp16
    /// Mixed: float32 master weights, bfloat16 activations.
    case bf16
}

/// How a precision turns a loss into gradients and gradients into a safe optimizer step.
public protocol PrecisionPlugin: AnyObject {
    /// The precision.
    var precision: Precision { get }
    /// The autocast settings steps run under.
    var autocast: Autocast { get }
    /// Back-propagates `loss` (scaled when the precision needs it).
    func backward(_ loss: Tensor)
    /// Divides gradients by the loss scale.
    func unscale(_ parameters: [Tensor])
    /// Whether a step whose gradients hold inf or NaN is skipped (float16's loss scaling): only then does the
    /// trainer check the gradients.
    var skipsNonFiniteSteps: Bool { get }
    /// Whether a step can be applied, given whether its (unscaled) gradients are finite on every rank; updates the
    /// loss scale either way.
    func shouldStep(gradientsFinite: Bool) -> Bool
    /// State saved in checkpoints (`/precision`).
    var state: [String: Double] { get }
    /// Restores ``state``.
    func load(state: [String: Double])
}

extension PrecisionPlugin {
    /// Whether the (unscaled) gradients of `parameters`, all held by this process, can be applied; updates the
    /// loss scale either way.
    public func shouldStep(_ parameters: [Tensor]) -> Bool {
        shouldStep(gradientsFinite: !skipsNonFiniteSteps || allGradientsFinite(parameters))
    }
}

/// The plugin that training under `precision` uses: ``FP32Precision`` for `.fp32`, ``MixedPrecision`` with its
/// default loss scaler for `.fp16` and `.bf16`. ``Trainer`` and the model benchmark both take theirs from here.
public func makePrecisionPlugin(_ precision: Precision) -> any PrecisionPlugin {
    switch precision {
    case .fp32: return FP32Precision()
    case .fp16, .bf16: return MixedPrecision(precision)
    }
}

/// Plain float32 training.
public final class FP32Precision: PrecisionPlugin {
    /// The float32 plugin (it has no state).
    public init() {}
    public var precision: Precision { .fp32 }
    public var autocast: Autocast { .float32 }
    public func backward(_ loss: Tensor) { loss.backward() }
    public func unscale(_ parameters: [Tensor]) {}
    public var skipsNonFiniteSteps: Bool { false }
    public func shouldStep(gradientsFinite: Bool) -> Bool { true }
    public var state: [String: Double] { [:] }
    public func load(state: [String: Double]) {}
}

import VoltTensor

/// Runs the layers of a ``LayeredModule`` for it: the hook through which a strategy that shards parameters at
/// rest (ZeRO stage 3, FSDP) gathers a layer's parameters before its forward pass and again before its backward
/// pass, and releases them after each.
public protocol LayerRunner: AnyObject {
    /// `body(input)`, the forward pass of `layer`. `body` may read only `layer`'s parameters and `input`, and draws
    /// dropout from `stream`, so that the runner can recompute it in the backward pass.
    func run(_ layer: Module, _ input: Tensor, stream: RandomStream?, _ body: @escaping (Tensor) -> Tensor) -> Tensor
}

/// A module whose forward pass goes layer by layer through ``layerRunner`` when one is set.
public protocol LayeredModule: Module {
    /// The runner of each layer's forward pass; `nil` runs them directly.
    var layerRunner: (any LayerRunner)? { get set }
    /// The layers it hands to ``layerRunner``, in order.
    var runnableLayers: [Module] { get }
}

extension Module {
    /// Every ``LayeredModule`` in this module's tree (itself included), in declaration order.
    public func layeredModules() -> [any LayeredModule] {
        ((self as? any LayeredModule).map { [$0] } ?? []) + children().flatMap { $0.1.layeredModules() }
    }
}

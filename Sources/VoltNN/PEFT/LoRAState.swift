/// What a `Linear` layer keeps about its LoRA adapter besides the two factors.
struct LoRAState {
    /// The factor on B·A: alpha / r, or alpha / √r for rank-stabilised LoRA.
    var scaling: Float
    /// Whether s·B·A has been added into the base weight (the forward pass then skips the adapter).
    var merged = false
}

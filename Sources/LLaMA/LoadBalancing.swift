import VoltTensor

/// The Switch Transformer load-balancing loss that transformers' `load_balancing_loss_func` computes for Mixtral.
enum LoadBalancing {
    /// experts · Σₑ fₑ · Pₑ over all layers' tokens together, where fₑ is the fraction of top-k assignments that go
    /// to expert e and Pₑ its mean routing probability (softmax of the router logits). Tokens where
    /// `attentionMask` ([batch, seq]) is 0 count in neither. Gradients flow through Pₑ only.
    static func loss(routerLogits: [Tensor], experts: Int, topK: Int, attentionMask: Tensor?) -> Tensor {
        let mask = attentionMask.map { $0.float32().reshaped([-1]).scalars }
        let maskColumn = mask.map { Tensor(shape: [$0.count, 1], scalars: $0) }
        var assignments = [Float](repeating: 0, count: experts)
        var probabilitySum: Tensor?
        var rows: Float = 0
        for logits in routerLogits {
            let probabilities = logits.softmax()
            let chosen = withNoGrad { probabilities.topK(topK).indices }.indices
            for (position, expert) in chosen.enumerated() { assignments[Int(expert)] += mask?[position / topK] ?? 1 }
            let weighted = maskColumn.map { probabilities * $0 } ?? probabilities
            let sum = weighted.sum(axes: [0])
            probabilitySum = probabilitySum.map { $0 + sum } ?? sum
            rows += mask?.reduce(0, +) ?? Float(logits.shape[0])
        }
        guard let probabilitySum, rows > 0 else { return Tensor(0) }
        let fractions = Tensor(shape: [experts], scalars: assignments.map { $0 / rows })
        return ((probabilitySum / rows) * fractions).sum() * Float(experts)
    }
}

import VoltTensor

/// Where a stored tensor goes in a LLaMA or Mixtral model: transformers' names, with Mixtral's hub layout
/// (`block_sparse_moe.gate`, one `experts.E.w1/w2/w3` Linear per expert) mapped onto the fused layout the model
/// (and transformers 5) uses: `mlp.gate`, `mlp.experts.gate_up_proj[E] = [w1; w3]`, `mlp.experts.down_proj[E] = w2`.
enum LlamaStateDictLayout {
    /// A stored tensor's place in the model.
    enum Target: Hashable {
        /// The model's tensor of that name, as stored.
        case whole(String)
        /// Expert `expert`'s `part` of the fused tensor `name`: `part` 0 is w1 (gate) or w2 (down), 1 is w3 (up).
        case expert(name: String, expert: Int, part: Int)
    }

    /// Prefixes of wrapped models (DDP's `module.`, `torch.compile`'s `_orig_mod.`), stripped.
    static let wrapperPrefixes = ["module.", "_orig_mod."]

    /// Where the stored tensor `name` goes, or `nil` for a constant buffer that is not a weight
    /// (`rotary_emb.inv_freq`) or, with tied embeddings, a stored `lm_head.weight` (transformers ignores it too).
    static func target(of stored: String, tied: Bool) -> Target? {
        var name = stored
        while let prefix = wrapperPrefixes.first(where: { name.hasPrefix($0) }) { name.removeFirst(prefix.count) }
        if name.hasSuffix(".rotary_emb.inv_freq") || (tied && name == "lm_head.weight") { return nil }
        name = name.replacingOccurrences(of: ".block_sparse_moe.", with: ".mlp.")
        let parts = name.split(separator: ".").map(String.init)
        // model.layers.N.mlp.experts.E.wK.weight
        if parts.count == 8, parts[3] == "mlp", parts[4] == "experts", let expert = Int(parts[5]), parts[7] == "weight" {
            let layer = parts[0...3].joined(separator: ".") + ".experts."
            switch parts[6] {
            case "w1": return .expert(name: layer + "gate_up_proj", expert: expert, part: 0)
            case "w3": return .expert(name: layer + "gate_up_proj", expert: expert, part: 1)
            case "w2": return .expert(name: layer + "down_proj", expert: expert, part: 0)
            default: break
            }
        }
        return .whole(name)
    }

    /// The hub-layout name of an expert's part (for errors about a Mixtral file in that layout).
    static func hubName(_ fused: String, expert: Int, part: Int) -> String {
        let layer = fused.replacingOccurrences(of: ".mlp.experts.", with: ".block_sparse_moe.experts.")
            .split(separator: ".").dropLast().joined(separator: ".")
        let w = fused.hasSuffix("down_proj") ? "w2" : part == 0 ? "w1" : "w3"
        return "\(layer).\(expert).\(w).weight"
    }

    /// The shape the stored part has: [intermediate, hidden] for w1/w3 (half of gate_up_proj[E]), [hidden,
    /// intermediate] for w2.
    static func partShape(fused shape: [Int], name: String) -> [Int] {
        name.hasSuffix("gate_up_proj") ? [shape[1] / 2, shape[2]] : [shape[1], shape[2]]
    }

    /// The fused tensor of shape `shape` assembled from its experts' parts (`parts[E][part]`).
    static func fuse(_ parts: [[Tensor]], shape: [Int]) -> Tensor {
        Tensor.concat(parts.flatMap { $0.map { $0.float32() } }, axis: 0).reshaped(shape)
    }

    /// The tensors `save_pretrained` writes for the model's `name` and `tensor`: the same, except Mixtral's fused
    /// experts and router, which transformers 5 writes back in the hub layout.
    static func savedTensors(_ name: String, _ tensor: Tensor) -> [(name: String, tensor: Tensor)] {
        let parts = name.split(separator: ".").map(String.init)
        guard parts.count >= 5, parts[0] == "model", parts[1] == "layers", parts[3] == "mlp",
              parts[4] == "experts" || parts[4] == "gate" else { return [(name, tensor)] }
        let layer = parts[0...2].joined(separator: ".") + ".block_sparse_moe."
        if parts[4] == "gate" { return [(layer + parts[4...].joined(separator: "."), tensor)] }
        let experts = tensor.shape[0], rows = tensor.shape[1], columns = tensor.shape[2]
        var saved: [(name: String, tensor: Tensor)] = []
        for e in 0..<experts {
            let matrix = tensor.slice(axis: 0, e..<(e + 1)).reshaped([rows, columns])
            if parts[5] == "down_proj" {
                saved.append(("\(layer)experts.\(e).w2.weight", matrix))
            } else {
                saved.append(("\(layer)experts.\(e).w1.weight", matrix.slice(axis: 0, 0..<(rows / 2))))
                saved.append(("\(layer)experts.\(e).w3.weight", matrix.slice(axis: 0, (rows / 2)..<rows)))
            }
        }
        return saved
    }
}

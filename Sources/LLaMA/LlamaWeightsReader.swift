import VoltInterop
import VoltTensor

/// Reads a ``WeightSource`` into a LLaMA or Mixtral model's state dict, strictly: every stored tensor must be one
/// of the model's (or a constant buffer), every one of the model's must be stored once, in its shape.
struct LlamaWeightsReader {
    typealias Layout = LlamaStateDictLayout

    /// The model's tensors in order with their shapes (LoRA factors left out: they are no transformers weights).
    let expected: [(name: String, shape: [Int])]
    /// Whether the model ties `lm_head` to the embedding.
    let tied: Bool

    init(model: LlamaForCausalLM) {
        expected = model.namedTensors().filter { !$0.0.contains(".lora_A.") && !$0.0.contains(".lora_B.") }
            .map { (name: $0.0, shape: $0.1.shape) }
        tied = model.configuration.tieWordEmbeddings
    }

    /// Where each model tensor's data is stored: whole, or as experts' parts (`parts[expert][part]`).
    private struct Plan {
        var whole: [String: String] = [:]
        var parts: [String: [Int: [Int: String]]] = [:]
    }

    /// The state dict `source` (named `path` in errors about tensors no file holds) gives the model.
    ///
    /// - Throws: ``LlamaWeightsError`` naming the file and the key; the readers' errors for a damaged file.
    func read(_ source: WeightSource, path: String) throws -> [String: Tensor] {
        let plan = try plan(source)
        try checkComplete(plan, path: path)
        let stored = Set(plan.whole.values).union(plan.parts.values.flatMap { $0.values.flatMap(\.values) })
        let tensors = Dictionary(try source.read(stored).map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        var stateDict: [String: Tensor] = [:]
        for (name, shape) in expected {
            if let key = plan.whole[name] {
                stateDict[name] = tensors[key]?.float32()
            } else if let parts = plan.parts[name] {
                let ordered = (0..<shape[0]).map { expert in
                    let stored = parts[expert] ?? [:]
                    return stored.keys.sorted().compactMap { stored[$0].flatMap { tensors[$0] } }
                }
                stateDict[name] = Layout.fuse(ordered, shape: shape)
            }
        }
        return stateDict
    }

    /// Each stored tensor's place, checking names, shapes and repeats file by file.
    private func plan(_ source: WeightSource) throws(LlamaWeightsError) -> Plan {
        let shapes = Dictionary(expected.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first })
        var plan = Plan()
        for (file, listing) in source.fileListings {
            var unexpected: [String] = []
            for entry in listing {
                guard let target = Layout.target(of: entry.name, tied: tied) else { continue }
                switch target {
                case let .whole(name):
                    guard let shape = shapes[name] else { unexpected.append(entry.name); continue }
                    guard plan.whole[name] == nil, plan.parts[name] == nil else { throw .duplicateTensor(file: file, key: entry.name) }
                    guard shape == entry.shape else {
                        throw .shapeMismatch(file: file, key: entry.name, expected: shape, found: entry.shape)
                    }
                    plan.whole[name] = entry.name
                case let .expert(name, expert, part):
                    guard let shape = shapes[name], shape.count == 3, expert < shape[0] else { unexpected.append(entry.name); continue }
                    guard plan.whole[name] == nil, plan.parts[name]?[expert]?[part] == nil else {
                        throw .duplicateTensor(file: file, key: entry.name)
                    }
                    let partShape = Layout.partShape(fused: shape, name: name)
                    guard partShape == entry.shape else {
                        throw .shapeMismatch(file: file, key: entry.name, expected: partShape, found: entry.shape)
                    }
                    plan.parts[name, default: [:]][expert, default: [:]][part] = entry.name
                }
            }
            guard unexpected.isEmpty else { throw .unexpectedTensors(file: file, keys: unexpected) }
        }
        return plan
    }

    /// Every model tensor stored: whole, or every part of every expert (missing parts named as the hub does).
    private func checkComplete(_ plan: Plan, path: String) throws(LlamaWeightsError) {
        var missing: [String] = []
        for (name, shape) in expected where plan.whole[name] == nil {
            guard let parts = plan.parts[name] else { missing.append(name); continue }
            let count = name.hasSuffix("gate_up_proj") ? 2 : 1
            for expert in 0..<shape[0] {
                for part in 0..<count where parts[expert]?[part] == nil {
                    missing.append(Layout.hubName(name, expert: expert, part: part))
                }
            }
        }
        guard missing.isEmpty else { throw .missingTensors(source: path, keys: missing) }
    }
}

import Volt
import Yams

extension GenSLMModule.Hyperparameters: SavedLayoutUpgrading {
    /// Checkpoints written before the hyper-parameters took the configuration's layout saved one flat object
    /// (`preset`, `accumulation_steps`, `lr`, `lora`, `base_weights`, …); this moves each key to its section:
    /// `model:` (`base_weights` becoming `init` and `base_sha256` `init_sha256`), `module:`, and `peft:` (with its
    /// `type`). An object in today's layout is returned as it is.
    public static func upgradeSavedLayout(_ saved: Node) -> Node {
        guard case let .mapping(flat) = saved else { return saved }
        let modelKeys = ["preset": "preset", "model_config": "model_config", "gradient_checkpointing": "gradient_checkpointing",
                         "dropout": "dropout", "adapter": "adapter", "base_weights": "init", "base_sha256": "init_sha256"]
        let moduleKeys: Set = ["accumulation_steps", "lr", "optimizer", "optimization", "weight_decay"]
        let peftKeys = ["lora": "lora", "prompt_tuning": "prompt_tuning"]
        let keys = flat.keys.compactMap(\.string)
        guard keys.contains(where: { modelKeys[$0] != nil || moduleKeys.contains($0) || peftKeys[$0] != nil }) else { return saved }
        var root = Node.Mapping([]), model = Node.Mapping([]), module = Node.Mapping([])
        for (key, value) in flat {
            guard let name = key.string else { continue }
            if let renamed = modelKeys[name] {
                if value.null == nil { model[Node(renamed)] = value }
            } else if moduleKeys.contains(name) {
                module[Node(name)] = value
            } else if let type = peftKeys[name] {
                guard case var .mapping(options) = value else { continue }
                options[Node("type")] = Node(type)
                root[Node("peft")] = .mapping(options)
            } else {
                root[key] = value
            }
        }
        root[Node("model")] = .mapping(model)
        root[Node("module")] = .mapping(module)
        return .mapping(root)
    }
}

import VoltNN

/// `adapter_config.json` of a PEFT LoRA adapter (`peft.LoraConfig.save_pretrained`), the fields Volt reads and
/// writes. Module names are transformers' (`lm_head`); Volt's GPT-NeoX says `embed_out` for the same layer.
struct PEFTAdapterConfig: Codable {
    var peftType = "LORA"
    var taskType: String? = "CAUSAL_LM"
    var baseModelNameOrPath: String?
    var r: Int
    var loraAlpha: Double
    var loraDropout: Double
    var targetModules: TargetModules?
    var bias: String
    var modulesToSave: [String]?
    var useRslora: Bool?
    var useDora: Bool?
    var fanInFanOut: Bool?
    var loraBias: Bool?
    var rankPattern: [String: Int]?
    var alphaPattern: [String: Double]?
    var layersToTransform: [Int]?
    var inferenceMode: Bool? = true
    var initLoraWeights: Bool? = true

    enum CodingKeys: String, CodingKey {
        case peftType = "peft_type", taskType = "task_type", baseModelNameOrPath = "base_model_name_or_path", r
        case loraAlpha = "lora_alpha", loraDropout = "lora_dropout", targetModules = "target_modules", bias
        case modulesToSave = "modules_to_save", useRslora = "use_rslora", useDora = "use_dora"
        case fanInFanOut = "fan_in_fan_out", loraBias = "lora_bias", rankPattern = "rank_pattern"
        case alphaPattern = "alpha_pattern", layersToTransform = "layers_to_transform", inferenceMode = "inference_mode"
        case initLoraWeights = "init_lora_weights"
    }

    /// The PEFT form of a Volt configuration.
    init(_ c: LoRAConfiguration, base: String?) {
        baseModelNameOrPath = base
        r = c.r
        loraAlpha = c.alpha
        loraDropout = c.dropout
        targetModules = c.targetModules
        bias = c.bias.rawValue
        modulesToSave = c.modulesToSave.isEmpty ? nil : c.modulesToSave.map(PEFTNames.transformersModule)
        useRslora = c.useRSLoRA
        useDora = false
        fanInFanOut = false
        loraBias = false
        rankPattern = [:]
        alphaPattern = [:]
    }

    /// The Volt configuration, or the first PEFT option Volt does not implement.
    func loRAConfiguration(file: String) throws(PEFTAdapterError) -> LoRAConfiguration {
        func unsupported(_ key: String, _ value: String) -> PEFTAdapterError { .unsupported(file: file, key: key, value: value) }
        guard peftType == "LORA" else { throw unsupported("peft_type", peftType) }
        if useDora == true { throw unsupported("use_dora", "true") }
        if fanInFanOut == true { throw unsupported("fan_in_fan_out", "true") }
        if loraBias == true { throw unsupported("lora_bias", "true") }
        if let p = rankPattern, !p.isEmpty { throw unsupported("rank_pattern", "\(p)") }
        if let p = alphaPattern, !p.isEmpty { throw unsupported("alpha_pattern", "\(p)") }
        if let l = layersToTransform { throw unsupported("layers_to_transform", "\(l)") }
        guard let bias = LoRABias(rawValue: bias) else { throw unsupported("bias", bias) }
        guard let targets = targetModules else { throw unsupported("target_modules", "null") }
        var c = LoRAConfiguration(r: r, alpha: loraAlpha, dropout: loraDropout, targetModules: targets, bias: bias,
                                  modulesToSave: (modulesToSave ?? []).map(PEFTNames.voltModule),
                                  useRSLoRA: useRslora ?? false)
        if case let .names(names) = targets { c.targetModules = .names(names.map(PEFTNames.voltModule)) }
        do { try c.validate() } catch { throw .invalid(file: file, reason: error.description) }
        return c
    }
}

/// The translation between Volt's parameter names and the keys of PEFT's `adapter_model.safetensors`.
enum PEFTNames {
    /// The prefix PEFT's `PeftModel` puts before the base model's names.
    static let prefix = "base_model.model."

    /// transformers' module name for a Volt one (`embed_out` → `lm_head`).
    static func transformersModule(_ name: String) -> String {
        name == "embed_out" ? "lm_head" : name.hasPrefix("embed_out.") ? "lm_head" + name.dropFirst("embed_out".count) : name
    }

    /// Volt's module name for a transformers one (`lm_head` → `embed_out`).
    static func voltModule(_ name: String) -> String {
        name == "lm_head" ? "embed_out" : name.hasPrefix("lm_head.") ? "embed_out" + name.dropFirst("lm_head".count) : name
    }

    /// The PEFT key of Volt parameter `name`; `adapted` holds the names of the layers that carry adapters (PEFT
    /// moves their own weight and bias under `base_layer`).
    static func peftKey(_ name: String, adapted: Set<String>) -> String {
        let module = name.split(separator: ".").dropLast().joined(separator: ".")
        let leaf = name.split(separator: ".").last.map(String.init) ?? name
        let inner = adapted.contains(module) && (leaf == "bias" || leaf == "weight") ? module + ".base_layer." + leaf : name
        return prefix + transformersModule(inner)
    }

    /// Volt's parameter name for a PEFT key, or `nil` when the key lacks PEFT's prefix.
    static func voltName(_ key: String) -> String? {
        guard key.hasPrefix(prefix) else { return nil }
        return voltModule(String(key.dropFirst(prefix.count)).replacingOccurrences(of: ".base_layer.", with: "."))
    }
}

/// A PEFT adapter folder that Volt cannot use.
public enum PEFTAdapterError: Error, Equatable, CustomStringConvertible {
    /// The file is missing or unreadable.
    case unreadable(file: String, reason: String)
    /// The configuration or the weights are inconsistent.
    case invalid(file: String, reason: String)
    /// A PEFT option Volt does not implement.
    case unsupported(file: String, key: String, value: String)
    /// The checkpoint holds no LoRA adapter.
    case notALoRACheckpoint(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read PEFT adapter: \(reason)"
        case let .invalid(file, reason): "\(file): invalid PEFT adapter: \(reason)"
        case let .unsupported(file, key, value): "\(file): \(key) = \(value) is not supported by Volt's LoRA"
        case let .notALoRACheckpoint(path): "\(path): not a LoRA checkpoint (no peft hyper-parameter)"
        }
    }
}

import VoltNN

/// `adapter_config.json` of a PEFT LoRA adapter (`peft.LoraConfig.save_pretrained`), the fields Volt reads and
/// writes. Module names are transformers' (`lm_head`), translated by a ``PEFTModuleNames``.
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
    init(_ c: LoRAConfiguration, base: String?, names: PEFTModuleNames) {
        baseModelNameOrPath = base
        r = c.r
        loraAlpha = c.alpha
        loraDropout = c.dropout
        targetModules = c.targetModules
        bias = c.bias.rawValue
        modulesToSave = c.modulesToSave.isEmpty ? nil : c.modulesToSave.map(names.transformersModule)
        useRslora = c.useRSLoRA
        useDora = false
        fanInFanOut = false
        loraBias = false
        rankPattern = [:]
        alphaPattern = [:]
    }

    /// The Volt configuration, or the first PEFT option Volt does not implement.
    func loRAConfiguration(file: String, names: PEFTModuleNames) throws(PEFTAdapterError) -> LoRAConfiguration {
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
                                  modulesToSave: (modulesToSave ?? []).map(names.voltModule),
                                  useRSLoRA: useRslora ?? false)
        if case let .names(targetNames) = targets { c.targetModules = .names(targetNames.map(names.voltModule)) }
        do { try c.validate() } catch { throw .invalid(file: file, reason: error.description) }
        return c
    }
}

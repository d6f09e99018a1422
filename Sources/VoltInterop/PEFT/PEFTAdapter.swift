import Foundation
import VoltNN
import VoltTensor

/// A LoRA adapter in PEFT's folder layout: `adapter_config.json` and `adapter_model.safetensors`, keyed as
/// `PeftModel.save_pretrained` writes them (`base_model.model.gpt_neox.layers.0.attention.query_key_value.lora_A.weight`,
/// `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`), so that
/// `peft.PeftModel.from_pretrained(base, folder)` loads what Volt writes and Volt loads what peft writes.
///
/// The format is the same for every model family; ``moduleNames`` translates the few module names in which a
/// Volt model differs from transformers' (GenSLM's `embed_out` for `lm_head`).
public struct PEFTAdapter {
    /// The adapter's options.
    public var configuration: LoRAConfiguration
    /// The adapter's tensors under Volt's names: every `lora_A`/`lora_B` weight, and the biases and
    /// `modules_to_save` weights that trained.
    public var tensors: [(name: String, tensor: Tensor)]
    /// `base_model_name_or_path`, if recorded.
    public var baseModel: String?
    /// How the model's module names differ from transformers' (none by default).
    public var moduleNames: PEFTModuleNames

    /// An adapter.
    public init(configuration: LoRAConfiguration, tensors: [(name: String, tensor: Tensor)], baseModel: String? = nil,
                moduleNames: PEFTModuleNames = .transformers) {
        self.configuration = configuration
        self.tensors = tensors
        self.baseModel = baseModel
        self.moduleNames = moduleNames
    }

    /// The adapter of `model`: its trainable tensors (after `Module.applyLoRA(_:stream:seed:)`).
    public init(of model: Module, configuration: LoRAConfiguration, baseModel: String? = nil,
                moduleNames: PEFTModuleNames = .transformers) {
        self.init(configuration: configuration, tensors: model.namedParameters().map { (name: $0.0, tensor: $0.1) },
                  baseModel: baseModel, moduleNames: moduleNames)
    }

    /// Names of the layers that carry adapters (`…query_key_value`).
    var adaptedLayers: Set<String> {
        Set(tensors.map(\.name).filter { $0.hasSuffix(".lora_A.weight") }.map { String($0.dropLast(".lora_A.weight".count)) })
    }

    /// Reads a folder written by `PeftModel.save_pretrained` (or by ``write(to:)``), naming modules as
    /// `moduleNames` says.
    ///
    /// - Throws: ``PEFTAdapterError`` naming the file: missing, not JSON, an option Volt does not implement
    ///   (DoRA, rank patterns, …), or a tensor key outside PEFT's naming; `SafetensorsError` for a damaged file.
    public static func read(from directory: String, moduleNames: PEFTModuleNames = .transformers) throws -> PEFTAdapter {
        let configPath = directory + "/adapter_config.json", weightsPath = directory + "/adapter_model.safetensors"
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw PEFTAdapterError.unreadable(file: configPath, reason: "no such file")
        }
        let config: PEFTAdapterConfig
        do { config = try JSONDecoder().decode(PEFTAdapterConfig.self, from: data) } catch {
            throw PEFTAdapterError.invalid(file: configPath, reason: "\(error)")
        }
        let configuration = try config.loRAConfiguration(file: configPath, names: moduleNames)
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            throw PEFTAdapterError.unreadable(file: weightsPath, reason: "no such file (adapter_model.bin is not read: it is a pickle)")
        }
        var tensors: [(name: String, tensor: Tensor)] = []
        for (key, tensor) in try Safetensors.read(from: weightsPath) {
            guard let name = moduleNames.voltName(key) else {
                throw PEFTAdapterError.invalid(file: weightsPath, reason: "key \(key) does not start with \(PEFTModuleNames.prefix)")
            }
            tensors.append((name: name, tensor: tensor))
        }
        return PEFTAdapter(configuration: configuration, tensors: tensors, baseModel: config.baseModelNameOrPath,
                           moduleNames: moduleNames)
    }

    /// Writes `adapter_config.json` and `adapter_model.safetensors` into `directory` (created if needed), each
    /// atomically.
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let adapted = adaptedLayers
        let keyed = tensors.map { (name: moduleNames.peftKey($0.name, adapted: adapted), tensor: $0.tensor) }
        try Safetensors.write(keyed, to: directory + "/adapter_model.safetensors")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableFile.write(try encoder.encode(PEFTAdapterConfig(configuration, base: baseModel, names: moduleNames)),
                              to: directory + "/adapter_config.json")
    }

    /// Loads the adapter's tensors into `model`, which must carry the same adapters (same targets and rank).
    ///
    /// - Throws: ``PEFTAdapterError/invalid(file:reason:)`` naming the tensors the model lacks, or the model's
    ///   adapter tensors the file lacks; `ModuleError` for a shape that differs. Nothing is loaded then.
    public func load(into model: Module, source: String) throws {
        let own = Set(model.namedTensors().map(\.0))
        let unexpected = tensors.map(\.name).filter { !own.contains($0) }
        let given = Set(tensors.map(\.name))
        let missing = model.namedParameters().map(\.0).filter { !given.contains($0) }
        guard unexpected.isEmpty, missing.isEmpty else {
            throw PEFTAdapterError.invalid(file: source, reason: "adapter does not fit the model: missing \(missing), unexpected \(unexpected)")
        }
        try model.load(stateDict: Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }), strict: false)
    }
}

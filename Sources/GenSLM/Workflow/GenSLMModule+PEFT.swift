import Foundation
import Volt
import VoltNN
import VoltTensor

// LoRA fine-tuning of GenSLMModule: the base model is built (and loaded from `base_weights`), frozen, and given
// adapters; checkpoints hold the adapters (and whatever else trains) plus a reference to the base.

extension LoRAConfiguration {
    /// The configuration encoded as one JSON object (the `peft` hyper-parameter).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    /// A configuration decoded from ``json``.
    ///
    /// - Throws: ``TrainerError/misconfiguration(_:)`` for text that is not such an object.
    public init(json: String) throws {
        do { self = try JSONDecoder().decode(LoRAConfiguration.self, from: Data(json.utf8)) } catch {
            throw TrainerError.misconfiguration("peft hyper-parameter is not a LoRA configuration: \(error)")
        }
    }
}

extension PromptTuningConfiguration {
    /// The configuration encoded as one JSON object (the `prompt_tuning` hyper-parameter).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    /// A configuration decoded from ``json``.
    ///
    /// - Throws: ``TrainerError/misconfiguration(_:)`` for text that is not such an object.
    public init(json: String) throws {
        do { self = try JSONDecoder().decode(PromptTuningConfiguration.self, from: Data(json.utf8)) } catch {
            throw TrainerError.misconfiguration("prompt_tuning hyper-parameter is not a prompt-tuning configuration: \(error)")
        }
    }
}

extension GenSLMModule {
    /// Loads the base weights named by `base_weights` (checking `base_sha256` when given); without a file, the
    /// base is the model's seeded initialisation.
    static func loadBase(into model: GPTNeoX, hyperparameters h: [String: HParam], preset: GenSLMPreset?,
                         seed: Int) throws -> BaseWeights {
        guard case let .string(path)? = h["base_weights"] else {
            return .random(preset: preset?.rawValue ?? "model_config \(model.configuration.jsonString)", seed: seed)
        }
        let digest = try FileDigest.sha256(ofFile: BaseWeights.weightsFile(path))
        if case let .string(expected)? = h["base_sha256"], expected != digest {
            throw BaseWeightsError.mismatch(checkpointBase: BaseWeights.file(path: path, sha256: expected).description,
                                            runBase: BaseWeights.file(path: path, sha256: digest).description)
        }
        if path.hasSuffix(ModelCheckpoint.fileExtension) {
            try model.load(stateDict: try Checkpoint.read(from: path, weightsOnly: true).stateDictionary)
        } else {
            // Published weights (torch.save, safetensors, a transformers folder), imported strictly.
            try model.load(stateDict: try CheckpointImporter.read(path).stateDictionary)
        }
        return .file(path: path, sha256: digest)
    }

    /// Attaches the adapters, and loads the `adapter` folder's weights into them when given.
    static func attachLoRA(_ lora: LoRAConfiguration, to model: GPTNeoX, hyperparameters h: [String: HParam],
                           seed: Int) throws {
        try model.applyLoRA(lora, stream: model.randomStream, seed: UInt64(seed) &+ 0x10AA)
        if case let .string(folder)? = h["adapter"] {
            let adapter = try PEFTAdapter.read(from: folder)
            try adapter.load(into: model, source: folder + "/adapter_model.safetensors")
        }
    }

    /// The hyper-parameters this module is rebuilt from: `peft` or `prompt_tuning`, and `base_weights` +
    /// `base_sha256` for a base read from a file (a random base is the preset and seed already saved).
    var peftHyperparameters: [String: HParam] {
        var h: [String: HParam] = [:]
        if let lora { h["peft"] = .string(lora.json) }
        if let promptTuning { h["prompt_tuning"] = .string(promptTuning.json) }
        if case let .file(path, sha256)? = base {
            h["base_weights"] = .string(path)
            h["base_sha256"] = .string(sha256)
        }
        return h
    }

    /// In a bf16 run, the frozen base weights of a LoRA or prompt-tuning model are stored in bfloat16 (half the
    /// memory).
    public func onFitStart(_ trainer: Trainer) throws {
        if base != nil && trainer.precision == .bf16 { model.storeFrozenWeights(as: .bfloat16) }
    }

    /// A LoRA or prompt-tuning checkpoint keeps only the tensors that train (adapters, and the biases and
    /// `modules_to_save` weights the configuration trains; or the virtual tokens); the base is referenced by the
    /// hyper-parameters.
    public func onSaveCheckpoint(_ checkpoint: inout Checkpoint) throws {
        guard base != nil else { return }
        let trainable = Set(model.namedParameters().map(\.0))
        checkpoint.stateDict = checkpoint.stateDict.filter { trainable.contains($0.name) }
        checkpoint.gradients = checkpoint.gradients.filter { trainable.contains($0.name) }
    }

    /// Loads a checkpoint's weights: all of them when the whole model trains; with LoRA or prompt tuning, after
    /// checking that the checkpoint was made over the same base, its trainable tensors.
    ///
    /// - Throws: ``BaseWeightsError`` when the bases differ; ``PEFTAdapterError`` when tensors are missing.
    public func loadModelState(from checkpoint: Checkpoint) throws {
        guard let base else { return try model.load(stateDict: checkpoint.stateDictionary) }
        let h = checkpoint.metadata.hyperparameters
        let saved: BaseWeights
        if case let .string(path)? = h["base_weights"], case let .string(sha256)? = h["base_sha256"] {
            saved = .file(path: path, sha256: sha256)
        } else {
            saved = .random(preset: h["preset"]?.description ?? "", seed: Int(h["seed"]?.doubleValue ?? -1))
        }
        let same = switch (saved, base) {
        case let (.file(_, a), .file(_, b)): a == b
        default: saved == base
        }
        guard same else { throw BaseWeightsError.mismatch(checkpointBase: saved.description, runBase: base.description) }
        let adapter = PEFTAdapter(configuration: lora ?? LoRAConfiguration(), tensors: checkpoint.stateDict)
        try adapter.load(into: model, source: "checkpoint state_dict")
    }
}

import Foundation
import Volt
import VoltInterop
import VoltNN
import VoltTensor

// LoRA fine-tuning of GenSLMModule: the base model is built (and loaded from `base_weights`), frozen, and given
// adapters; checkpoints hold the adapters (and whatever else trains) plus a reference to the base.

extension GenSLMModule {
    /// Loads the base weights `model.init` names (checking `model.init_sha256` when given); with `init: random`,
    /// the base is the model's seeded initialisation.
    static func loadBase(into model: GPTNeoX, hyperparameters h: Hyperparameters) throws -> BaseWeights {
        let path = h.model.initialization
        guard path != ModelOptions.randomInitialization else { return .random(describing: h, model: model) }
        let digest = try FileDigest.sha256(ofFile: BaseWeights.weightsFile(path))
        if let expected = h.model.initSHA256, expected != digest {
            throw BaseWeightsError.mismatch(checkpointBase: BaseWeights.file(path: path, sha256: expected).description,
                                            runBase: BaseWeights.file(path: path, sha256: digest).description)
        }
        try Self.loadWeights(at: path, into: model)
        return .file(path: path, sha256: digest)
    }

    /// Attaches the adapters, and loads the `adapter` folder's weights into them when given.
    static func attachLoRA(_ lora: LoRAConfiguration, to model: GPTNeoX, adapter folder: String?, seed: Int) throws {
        try model.applyLoRA(lora, stream: model.randomStream, seed: UInt64(seed) &+ 0x10AA)
        if let folder {
            let adapter = try PEFTAdapter.read(from: folder, moduleNames: .gptNeoX)
            try adapter.load(into: model, source: folder + "/adapter_model.safetensors")
        }
    }

    /// The type the base's `Linear` weights are built in: bfloat16 when PEFT freezes them and the run is bf16,
    /// else float32. A LoRA configuration with `modules_to_save` keeps the float32 build (those modules train, and
    /// which `Linear` layers they hold is known only once the model exists); ``onFitStart(_:)`` then converts the
    /// frozen ones.
    public static func frozenWeightDType(_ h: Hyperparameters, precision: Precision) -> DType {
        guard precision == .bf16, let peft = h.peft else { return .float32 }
        if case let .lora(lora) = peft, !lora.modulesToSave.isEmpty { return .float32 }
        return .bfloat16
    }

    /// In a bf16 run, the frozen base weights of a LoRA or prompt-tuning model are stored in bfloat16 (half the
    /// memory); a module built for bf16 (`init(hyperparameters:precision:)`) has them so already.
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
    /// - Throws: ``BaseWeightsError`` when the bases differ; `PEFTAdapterError` when tensors are missing.
    public func loadModelState(from checkpoint: Checkpoint) throws {
        guard let base else { return try model.load(stateDict: checkpoint.stateDictionary) }
        let h = try checkpoint.metadata.hyperparameters.decode(Hyperparameters.self, source: "checkpoint")
        let saved: BaseWeights = if let sha256 = h.model.initSHA256 {
            .file(path: h.model.initialization, sha256: sha256)
        } else {
            .random(describing: h, model: model)
        }
        let same = switch (saved, base) {
        case let (.file(_, a), .file(_, b)): a == b
        default: saved == base
        }
        guard same else { throw BaseWeightsError.mismatch(checkpointBase: saved.description, runBase: base.description) }
        let adapter = PEFTAdapter(configuration: lora ?? LoRAConfiguration(), tensors: checkpoint.stateDict,
                                  moduleNames: .gptNeoX)
        try adapter.load(into: model, source: "checkpoint state_dict")
    }
}

import Volt
import VoltInterop
import VoltNN

/// Exports of a GenSLM checkpoint for `volt checkpoint export`.
public enum LoRACheckpointExport {
    /// Writes a LoRA checkpoint's adapter as a PEFT folder (`adapter_config.json`, `adapter_model.safetensors`).
    /// Only the checkpoint is read: the base weights are not needed.
    ///
    /// - Throws: `PEFTAdapterError.notALoRACheckpoint` for a checkpoint without LoRA; `CheckpointError`.
    public static func exportAdapter(checkpoint path: String, to directory: String) throws {
        let checkpoint = try Checkpoint.read(from: path, weightsOnly: true)
        let h = try checkpoint.metadata.hyperparameters.decode(GenSLMModule.Hyperparameters.self, source: path)
        guard let configuration = h.lora else { throw PEFTAdapterError.notALoRACheckpoint(path) }
        try PEFTAdapter(configuration: configuration, tensors: checkpoint.stateDict, baseModel: h.peftBaseModel,
                        moduleNames: .gptNeoX).write(to: directory)
    }

    /// Writes the checkpoint's model as `model.safetensors` + `config.json` for transformers; a LoRA model's
    /// adapters are merged into the base weights first, so the file holds transformers' names only.
    public static func exportMerged(checkpoint path: String, to directory: String) throws {
        let module = try GenSLMModule.load(from: path)
        guard module.promptTuning == nil else {
            throw TrainerError.misconfiguration("\(path): a prompt-tuned model has no transformers form (its virtual tokens are not weights)")
        }
        if module.lora != nil { module.model.mergeLoRA() }
        try module.model.exportSafetensors(to: directory)
    }
}

import Volt
import VoltInterop

/// Exports of a text fine-tuning checkpoint (a ``CausalLMModule``'s) for `volt checkpoint export`: the LoRA adapters
/// as a PEFT folder that `PeftModel.from_pretrained` loads, or the whole model (adapters merged) as a folder that
/// `LlamaForCausalLM.from_pretrained` / `MixtralForCausalLM.from_pretrained` loads.
public enum CausalLMCheckpointExport {
    /// The type name checkpoints of ``CausalLMModule`` carry in their `module` attribute.
    public static let moduleName = String(describing: CausalLMModule.self)

    /// Writes the checkpoint's LoRA adapters as `adapter_config.json` + `adapter_model.safetensors` (PEFT's names),
    /// with `base_model_name_or_path` set to `model.init` when it names a folder.
    ///
    /// - Throws: `PEFTAdapterError.notALoRACheckpoint` for a checkpoint trained without `peft:`; `CheckpointError`;
    ///   what rebuilding the module throws.
    public static func exportAdapter(checkpoint path: String, to directory: String) throws {
        let module = try CausalLMModule.load(from: path)
        guard let peft = module.hyperparameters.peft else { throw PEFTAdapterError.notALoRACheckpoint(path) }
        let initialization = module.hyperparameters.model.initialization
        let base = initialization == CausalLMModule.ModelOptions.randomInitialization ? nil : initialization
        try PEFTAdapter(of: module.model, configuration: peft.configuration, baseModel: base).write(to: directory)
    }

    /// Writes the checkpoint's model as `config.json` + `model.safetensors`, as `save_pretrained` lays them out;
    /// LoRA adapters are merged into the base weights first.
    ///
    /// - Throws: `CheckpointError`; what rebuilding the module or writing the files throws.
    public static func exportMerged(checkpoint path: String, to directory: String) throws {
        let module = try CausalLMModule.load(from: path)
        if module.hyperparameters.peft != nil { module.model.mergeLoRA() }
        try module.model.save(to: directory)
    }
}

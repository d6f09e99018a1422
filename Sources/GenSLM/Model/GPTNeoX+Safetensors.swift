import Foundation
import VoltInterop

extension GPTNeoX {
    /// Volt's (and transformers 4's) name for a state-dict key of another transformers version:
    /// transformers 5 calls the output projection `lm_head.weight` where GenSLM's models say `embed_out.weight`.
    public static func canonicalKey(_ name: String) -> String { name == "lm_head.weight" ? "embed_out.weight" : name }

    /// Writes `model.safetensors` and `config.json` into `directory` (created if needed), loadable with
    /// `GPTNeoXForCausalLM.from_pretrained(directory)`.
    public func exportSafetensors(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // LoRA factors are not transformers weights: merge them first (mergeLoRA) to export an adapted model.
        let weights = namedTensors().filter { !$0.0.contains(".lora_A.") && !$0.0.contains(".lora_B.") }
        try Safetensors.write(weights.map { (name: $0.0, tensor: $0.1) }, to: directory + "/model.safetensors")
        try configuration.transformersConfiguration.write(to: directory + "/config.json")
    }

    /// Loads weights from a safetensors file or a transformers folder (`model.safetensors`, sharded or not),
    /// strictly: a missing, unexpected or wrongly shaped tensor is an error listing each (the importer's rules:
    /// `model.`/`module.` prefixes stripped, constant buffers such as `attention.bias` dropped).
    ///
    /// - Throws: `TorchImportError` or `SafetensorsError`; the model is unchanged on error.
    public func importSafetensors(from path: String) throws {
        let imported = try CheckpointImporter.read(path, shape: .configuration(configuration))
        try load(stateDict: imported.stateDictionary)
    }
}

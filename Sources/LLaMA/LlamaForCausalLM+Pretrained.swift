import Foundation
import VoltInterop
import VoltTensor

/// Weights to and from the files transformers reads and writes.
extension LlamaForCausalLM {
    /// The model stored at `path`: a transformers folder (`config.json` with `model.safetensors`, sharded with
    /// `model.safetensors.index.json`, or `pytorch_model.bin`), or a single `.safetensors` or `torch.save` file
    /// with `configuration` given (which also overrides a folder's `config.json`).
    ///
    /// Reading is strict (see ``loadWeights(from:)-(WeightSource)``); Mixtral weights are read in the hub's layout
    /// (`block_sparse_moe.experts.E.w1/w2/w3`) and in transformers 5's (`mlp.experts.gate_up_proj`). The folder's
    /// `config.json` is kept as ``sourceConfiguration``, so ``save(to:)`` writes back its other keys.
    ///
    /// - Throws: ``LlamaWeightsError`` naming the file and the key; `TorchImportError` for an unreadable file or
    ///   `config.json` (naming the key at fault); `SafetensorsError`; ``LlamaError`` for a configuration this
    ///   model does not implement.
    public static func load(from path: String, configuration: LlamaConfiguration? = nil) throws -> LlamaForCausalLM {
        let source = try WeightSource.open(path)
        let transformers = try source.transformersConfiguration()
        let resolved: LlamaConfiguration
        if let configuration {
            resolved = configuration
        } else if let transformers {
            resolved = try LlamaConfiguration(transformers: transformers)
        } else {
            throw LlamaWeightsError.missingConfiguration(path: path)
        }
        let model = try LlamaForCausalLM(resolved)
        try model.loadWeights(from: source, path: path)
        model.sourceConfiguration = transformers
        return model
    }

    /// Replaces every weight with the one stored at `path` (a file or a transformers folder; see
    /// ``load(from:configuration:)``).
    ///
    /// - Throws: what ``loadWeights(from:)-(WeightSource)`` throws; the model is unchanged on error.
    public func loadWeights(from path: String) throws {
        try loadWeights(from: WeightSource.open(path), path: path)
    }

    /// Replaces every weight with the one `source` stores, strictly: a tensor that is no part of the model, one
    /// stored twice, one of another shape, or one of the model's that no file holds is an error. `module.` and
    /// `_orig_mod.` prefixes are stripped, `rotary_emb.inv_freq` buffers and (with tied embeddings) a stored
    /// `lm_head.weight` are skipped, as transformers skips them; other floating-point types become float32.
    /// LoRA factors are not read: they come from an adapter (`PEFTAdapter`).
    ///
    /// - Throws: ``LlamaWeightsError`` naming the file and the key; the readers' errors for a damaged file. The
    ///   model is unchanged on error.
    public func loadWeights(from source: WeightSource) throws {
        let path = source.files.count == 1 ? source.files[0] : (source.files.first.map { ($0 as NSString).deletingLastPathComponent } ?? "")
        try loadWeights(from: source, path: path)
    }

    private func loadWeights(from source: WeightSource, path: String) throws {
        try load(stateDict: try LlamaWeightsReader(model: self).read(source, path: path), strict: false)
    }

    /// Writes `config.json` and `model.safetensors` into `folder` (created if needed) as transformers'
    /// `save_pretrained` lays them out, so `LlamaForCausalLM.from_pretrained(folder)` (or
    /// `MixtralForCausalLM`'s) loads them: float32 tensors in name order under transformers' keys, Mixtral's
    /// experts in the hub layout transformers 5 writes (`block_sparse_moe.experts.E.w1/w2/w3`), no `lm_head.weight`
    /// with tied embeddings; `config.json` from ``LlamaConfiguration/transformersConfiguration(over:)`` over
    /// ``sourceConfiguration``. One file, unsharded.
    ///
    /// LoRA factors are not written: merge them first (`mergeLoRA()`) to save the adapted model, or write the
    /// adapter on its own (`PEFTAdapter`).
    ///
    /// - Throws: the file system's error, naming the file.
    public func save(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let weights = namedTensors().filter { !$0.0.contains(".lora_A.") && !$0.0.contains(".lora_B.") }
            .flatMap { LlamaStateDictLayout.savedTensors($0.0, $0.1) }
            .sorted { $0.name < $1.name }
        try Safetensors.write(weights, to: folder + "/model.safetensors")
        try configuration.transformersConfiguration(over: sourceConfiguration).write(to: folder + "/config.json")
    }
}

import Volt
import VoltTensor

extension GenSLMModule.ModelOptions {
    /// The `model.init` value that starts from the seeded initialisation.
    public static let randomInitialization = "random"
}

extension GenSLMModule {
    /// A module for a new fit, with weights from `model.init`: a Volt checkpoint (`.h5`), or published weights (a
    /// `torch.save` file, safetensors, a transformers folder) imported strictly. The weights decide the model's
    /// size — the checkpoint's own `preset`/`model_config`, the preset whose shapes match, or a folder's
    /// `config.json` — rather than `model.preset`. With `peft:` the module loads the base itself (its checkpoints
    /// reference it by path and SHA-256) and attaches the adapters, starting from `model.adapter` when set.
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)`, `CheckpointError`, `TorchImportError` or
    ///   ``BaseWeightsError``.
    public static func starting(from hyperparameters: Hyperparameters) throws -> GenSLMModule {
        var h = hyperparameters
        let source = h.model.initialization
        guard source != ModelOptions.randomInitialization else { return try GenSLMModule(hyperparameters: h) }
        let (architecture, weights) = try Self.weights(at: source, fallbackPreset: h.model.preset)
        (h.model.preset, h.model.modelConfig) = (architecture.preset, architecture.modelConfig)
        // With PEFT the module reads (and fingerprints) the base weights itself.
        if h.peft != nil { return try GenSLMModule(hyperparameters: h) }
        let module = try GenSLMModule(hyperparameters: h)
        try module.model.load(stateDict: weights)
        return module
    }

    /// The weights a `model.init` source holds, with the preset or architecture that gives the model's size.
    static func weights(at source: String, fallbackPreset: GenSLMPreset = .tiny) throws
        -> (architecture: (preset: GenSLMPreset, modelConfig: GPTNeoXConfiguration?), weights: [String: Tensor]) {
        if source.hasSuffix(ModelCheckpoint.fileExtension) {
            let checkpoint = try Checkpoint.read(from: source, weightsOnly: true)
            let saved = try checkpoint.metadata.hyperparameters.decode(Hyperparameters.self, source: source)
            return ((saved.model.preset, saved.model.modelConfig), checkpoint.stateDictionary)
        }
        let imported = try CheckpointImporter.read(source)
        return ((imported.preset ?? fallbackPreset, imported.preset == nil ? imported.configuration : nil),
                imported.stateDictionary)
    }
}

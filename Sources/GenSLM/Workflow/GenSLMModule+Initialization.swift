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
    /// reference it by path and SHA-256) and attaches the adapters, starting from `model.adapter` when set; under
    /// bf16 `precision` it builds and loads that base in bfloat16 (`init(hyperparameters:precision:)`).
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)`, `CheckpointError`, `TorchImportError` or
    ///   ``BaseWeightsError``.
    public static func starting(from hyperparameters: Hyperparameters, precision: Precision = .fp32) throws -> GenSLMModule {
        var h = hyperparameters
        let source = h.model.initialization
        guard source != ModelOptions.randomInitialization else { return try GenSLMModule(hyperparameters: h, precision: precision) }
        if h.peft != nil {
            // The module reads (and fingerprints) the base weights itself: only the architecture is needed here.
            (h.model.preset, h.model.modelConfig) = try Self.architecture(at: source, fallbackPreset: h.model.preset)
            return try GenSLMModule(hyperparameters: h, precision: precision)
        }
        let (architecture, weights) = try Self.weights(at: source, fallbackPreset: h.model.preset)
        (h.model.preset, h.model.modelConfig) = (architecture.preset, architecture.modelConfig)
        let module = try GenSLMModule(hyperparameters: h, precision: precision)
        try module.model.load(stateDict: weights)
        return module
    }

    /// The preset or architecture that gives the size of the model a `model.init` source holds, read without
    /// the tensor data (a Volt checkpoint's hyper-parameters, or an import's listing and `config.json`).
    static func architecture(at source: String, fallbackPreset: GenSLMPreset = .tiny) throws
        -> (preset: GenSLMPreset, modelConfig: GPTNeoXConfiguration?) {
        if source.hasSuffix(ModelCheckpoint.fileExtension) {
            let saved = try Checkpoint.readMetadata(from: source).hyperparameters.decode(Hyperparameters.self, source: source)
            return (saved.model.preset, saved.model.modelConfig)
        }
        let configuration = try CheckpointImporter.configuration(of: source)
        let preset = GenSLMPreset.allCases.first { $0.configuration == configuration }
        return (preset ?? fallbackPreset, preset == nil ? configuration : nil)
    }

    /// Loads the weights a `model.init` source holds into `model` tensor by tensor, each converted to the type of
    /// the model's tensor as it is read (`Checkpoint.loadStateDict(from:into:strict:)` for a Volt checkpoint,
    /// ``CheckpointImporter/load(_:into:)`` for published weights), so a bfloat16 model never holds a float32 copy
    /// of the file.
    static func loadWeights(at source: String, into model: GPTNeoX) throws {
        if source.hasSuffix(ModelCheckpoint.fileExtension) {
            try Checkpoint.loadStateDict(from: source, into: model)
        } else {
            try CheckpointImporter.load(source, into: model)
        }
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

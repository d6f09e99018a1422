import Foundation
import Volt
import VoltData
import VoltNN
import VoltTensor

/// The GenSLM fine-tuning workflow assembled from a ``FineTuneConfiguration``: data, module, trainer.
public struct FineTuneRun {
    /// The configuration.
    public let configuration: FineTuneConfiguration

    /// A run of `configuration`.
    public init(_ configuration: FineTuneConfiguration) { self.configuration = configuration }

    /// The module's hyper-parameters: `module:`, the training side of `model:`, and the root `seed`.
    public var hyperparameters: GenSLMModule.Hyperparameters { configuration.moduleHyperparameters() }

    /// The LoRA configuration of the run: `peft:` (of type lora), or the `model.adapter` folder's own (not both).
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)` for another `peft.type`, both set, or invalid options;
    ///   ``PEFTAdapterError`` for an unreadable adapter folder.
    public func loraConfiguration() throws -> LoRAConfiguration? {
        if let adapter = configuration.model.adapter {
            guard configuration.peft == nil else {
                throw TrainerError.misconfiguration("model.adapter brings its own adapter_config.json: leave peft: unset")
            }
            return try PEFTAdapter.read(from: adapter).configuration
        }
        guard let peft = configuration.peft, peft.type != "prompt_tuning" else { return nil }
        guard peft.type == "lora" else {
            throw TrainerError.misconfiguration("peft.type \"\(peft.type)\" is not lora or prompt_tuning")
        }
        do { try peft.lora.validate() } catch { throw TrainerError.misconfiguration("peft: \(error.description)") }
        return peft.lora
    }

    /// The module, with weights from `model.init`: a Volt checkpoint (`.h5`), or published weights (a
    /// `torch.save` file, safetensors, a transformers folder) imported strictly. The weights decide the model's
    /// size — the checkpoint's own `preset`/`model_config`, the preset whose shapes match, or a folder's
    /// `config.json` — rather than `model.preset`; the training hyper-parameters come from the configuration.
    /// With LoRA or prompt tuning the module loads the base itself (its checkpoints reference it by path and
    /// SHA-256) and attaches adapters, starting from `model.adapter` when set.
    public func makeModule() throws -> GenSLMModule {
        var h = hyperparameters
        let source = configuration.model.initialization
        h.lora = try loraConfiguration()
        h.promptTuning = configuration.peft.flatMap { $0.type == "prompt_tuning" ? $0.promptTuning : nil }
        if h.lora != nil { h.adapter = configuration.model.adapter }
        if source == "random" { return try GenSLMModule(hyperparameters: h) }
        if h.lora != nil || h.promptTuning != nil {
            // Only the base's size is needed here; the module reads (and fingerprints) the weights itself.
            (h.preset, h.modelConfig) = try Self.weights(source, fallbackPreset: configuration.model.preset).architecture
            h.baseWeights = source
            return try GenSLMModule(hyperparameters: h)
        }
        let (architecture, weights) = try Self.weights(source, fallbackPreset: configuration.model.preset)
        (h.preset, h.modelConfig) = architecture
        let module = try GenSLMModule(hyperparameters: h)
        try module.model.load(stateDict: weights)
        return module
    }

    /// The weights a `model.init` source holds, with the preset or architecture that gives the model's size.
    static func weights(_ source: String, fallbackPreset: String) throws
        -> (architecture: (preset: String, modelConfig: GPTNeoXConfiguration?), weights: [String: Tensor]) {
        if source.hasSuffix(ModelCheckpoint.fileExtension) {
            let checkpoint = try Checkpoint.read(from: source, weightsOnly: true)
            let saved = try checkpoint.metadata.hyperparameters.decode(GenSLMModule.Hyperparameters.self, source: source)
            return ((saved.preset, saved.modelConfig), checkpoint.stateDictionary)
        }
        let imported = try CheckpointImporter.read(source)
        return ((imported.preset?.rawValue ?? fallbackPreset, imported.preset == nil ? imported.configuration : nil),
                imported.stateDictionary)
    }

    /// The data module of `data:` for a model of `maxPositions` positions.
    public func makeDataModule(maxPositions: Int) -> FASTADataModule {
        FASTADataModule(configuration.data, seed: configuration.data.seed ?? configuration.seed, maxPositions: maxPositions)
    }

    /// The dataset of `data.path` (FASTA files or a token shard folder) and its train/validation split.
    public func makeData(maxPositions: Int) throws -> (dataset: TokenDataset, train: Subset<TokenDataset>, val: Subset<TokenDataset>?) {
        let data = makeDataModule(maxPositions: maxPositions)
        try data.setup(stage: .training)
        guard let dataset = data.dataset else { throw TrainerError.misconfiguration("the data could not be opened") }
        return (dataset, data.splits[0], data.splits[1].count > 0 ? data.splits[1] : nil)
    }

    /// The training loader of `data:`: shuffled, or length-bucketed with `data.sampler: bucketed`.
    public func makeTrainLoader(_ dataset: TokenDataset, _ train: Subset<TokenDataset>) -> DataLoader<Subset<TokenDataset>, TokenBatch> {
        FASTADataModule.trainLoader(dataset, train, data: configuration.data, seed: UInt64(configuration.seed))
    }

    /// The trainer of `trainer:`, with `extraCallbacks` after the configured ones.
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)` for flags the trainer refuses, or an 8-bit optimizer under
    ///   zero1 (its state does not shard).
    public func makeTrainer(extraCallbacks: [any Callback] = []) throws -> Trainer {
        if configuration.trainer.strategy == .zero1 && configuration.module.optimizer.rawValue.hasSuffix("8bit") {
            throw TrainerError.misconfiguration("module.optimizer \(configuration.module.optimizer.rawValue) does not shard under zero1: use ddp")
        }
        return try Trainer(configuration: configuration.trainer, callbacks: extraCallbacks)
    }

    /// Fits the module; `ckptPath` resumes (`last`, `best` or a path); `extraCallbacks` join the configured ones.
    public func fit(ckptPath: String? = nil, extraCallbacks: [any Callback] = []) throws -> FitSummary {
        try configuration.fit(ckptPath: ckptPath, callbacks: extraCallbacks)
    }
}

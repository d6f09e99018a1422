import GenSLM
import Foundation
import Volt
import VoltData
import VoltInterop
import VoltNN
import VoltTensor

/// The GenSLM fine-tuning workflow assembled from a ``FineTuneConfiguration``: data, module, trainer.
public struct FineTuneRun {
    /// The configuration.
    public let configuration: FineTuneConfiguration

    /// A run of `configuration`.
    public init(_ configuration: FineTuneConfiguration) { self.configuration = configuration }

    /// The module of the configuration's hyper-parameters, with weights from `model.init` (a PEFT base built in
    /// bfloat16 when `trainer.precision` is bf16); a `model.adapter` folder brings its own LoRA configuration
    /// (`peft:` stays unset).
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)` when both `model.adapter` and `peft:` are set;
    ///   `PEFTAdapterError` for an unreadable adapter folder; what
    ///   `GenSLMModule.starting(from:precision:)` throws.
    public func makeModule() throws -> GenSLMModule {
        var h = configuration.hyperparameters
        if let adapter = h.model.adapter {
            guard h.peft == nil else {
                throw TrainerError.misconfiguration("model.adapter brings its own adapter_config.json: leave peft: unset")
            }
            h.peft = .lora(try PEFTAdapter.read(from: adapter, moduleNames: .gptNeoX).configuration)
        }
        return try GenSLMModule.starting(from: h, precision: configuration.trainer.precision)
    }

    /// Seed of the split and the shuffle: `data.seed`, else the root `seed`.
    public var dataSeed: Int { configuration.data.seed ?? configuration.seed }

    /// The data module of `data:` for a model of `maxPositions` positions.
    public func makeDataModule(maxPositions: Int) -> FASTADataModule {
        FASTADataModule(configuration.data, seed: dataSeed, maxPositions: maxPositions)
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
        FASTADataModule.trainLoader(dataset, train, data: configuration.data, seed: UInt64(dataSeed))
    }

    /// The trainer of `trainer:`, with `extraCallbacks` after the configured ones.
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)` for flags the trainer refuses, or an 8-bit optimizer under
    ///   zero1–3 (its state does not shard).
    public func makeTrainer(extraCallbacks: [any Callback] = []) throws -> Trainer {
        let strategy = configuration.trainer.strategy
        if [.zero1, .zero2, .zero3].contains(strategy) && configuration.module.optimizer.isEightBit {
            throw TrainerError.misconfiguration(
                "module.optimizer \(configuration.module.optimizer.rawValue) does not shard under \(strategy.rawValue): use ddp")
        }
        return try Trainer(configuration: configuration.trainer, callbacks: extraCallbacks)
    }

    /// Fits the module; `ckptPath` resumes (`last`, `best` or a path); `extraCallbacks` join the configured ones.
    public func fit(ckptPath: String? = nil, extraCallbacks: [any Callback] = []) throws -> FitSummary {
        try configuration.fit(ckptPath: ckptPath, callbacks: extraCallbacks)
    }
}

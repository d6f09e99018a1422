import Foundation
import Volt
import VoltData
import VoltNN
import VoltTensor

/// What `volt fit` reports at the end.
public struct FitSummary: Codable, Sendable {
    /// Path of the best checkpoint (empty when none was saved).
    public var bestModelPath: String
    /// Its monitored score (validation loss by default).
    public var bestModelScore: Double?
    /// Optimizer steps taken.
    public var globalStep: Int
    /// The log directory of this run.
    public var logDirectory: String
}

/// The GenSLM fine-tuning workflow assembled from a ``FineTuneConfiguration``: data, module, trainer.
public struct FineTuneRun {
    /// The configuration.
    public let configuration: FineTuneConfiguration

    /// A run of `configuration`.
    public init(_ configuration: FineTuneConfiguration) { self.configuration = configuration }

    /// The module's hyper-parameters.
    public var hyperparameters: [String: HParam] {
        var h: [String: HParam] = [
            "preset": .string(configuration.model.preset), "accumulation_steps": .int(configuration.module.accumulationSteps),
            "lr": .double(configuration.module.lr), "optimizer": .string(configuration.module.optimizer),
            "weight_decay": .double(configuration.module.weightDecay), "optimization": .string(configuration.module.optimization),
            "seed": .int(configuration.seed), "gradient_checkpointing": .bool(configuration.model.gradientCheckpointing),
        ]
        if let dropout = configuration.model.dropout { h["dropout"] = .double(dropout) }
        return h
    }

    /// The LoRA configuration of the run: `peft:` (of type lora), or the `model.adapter` folder's own (not both).
    ///
    /// - Throws: ``TrainerError/misconfiguration(_:)`` for another `peft.type`, both set, or invalid options;
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
        let lora = try loraConfiguration()
        let promptTuning = configuration.peft.flatMap { $0.type == "prompt_tuning" ? $0.promptTuning : nil }
        if let lora {
            h["peft"] = .string(lora.json)
            if let adapter = configuration.model.adapter { h["adapter"] = .string(adapter) }
        }
        if let promptTuning { h["prompt_tuning"] = .string(promptTuning.json) }
        if source == "random" { return try GenSLMModule(hyperparameters: h) }
        if lora != nil || promptTuning != nil {
            // Only the base's size is needed here; the module reads (and fingerprints) the weights itself.
            let architecture = try Self.weights(source, fallbackPreset: configuration.model.preset).architecture
            h["preset"] = nil
            h["base_weights"] = .string(source)
            return try GenSLMModule(hyperparameters: h.merging(architecture) { $1 })
        }
        let (architecture, weights) = try Self.weights(source, fallbackPreset: configuration.model.preset)
        h["preset"] = nil
        let module = try GenSLMModule(hyperparameters: h.merging(architecture) { $1 })
        try module.model.load(stateDict: weights)
        return module
    }

    /// The weights a `model.init` source holds, with the hyper-parameters that give the model's size.
    static func weights(_ source: String, fallbackPreset: String) throws
        -> (architecture: [String: HParam], weights: [String: Tensor]) {
        if source.hasSuffix(ModelCheckpoint.fileExtension) {
            let checkpoint = try Checkpoint.read(from: source, weightsOnly: true)
            let saved = checkpoint.metadata.hyperparameters
            let architecture = saved["model_config"].map { ["model_config": $0] }
                ?? saved["preset"].map { ["preset": $0] } ?? ["preset": .string(fallbackPreset)]
            return (architecture, checkpoint.stateDictionary)
        }
        let imported = try CheckpointImporter.read(source)
        return (imported.hyperparameters, imported.stateDictionary)
    }

    /// The data module of `data:` for a model of `maxPositions` positions.
    public func makeDataModule(maxPositions: Int) -> FASTADataModule {
        FASTADataModule(configuration.data, seed: configuration.seed, maxPositions: maxPositions)
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
    public func makeTrainer(extraCallbacks: [any Callback] = []) throws -> Trainer {
        let t = configuration.trainer
        guard let precision = Precision(rawValue: t.precision) else {
            throw TrainerError.misconfiguration("trainer.precision \"\(t.precision)\" is not fp32, fp16 or bf16")
        }
        let strategy: (any Strategy)?
        let parallel = t.devices > 1 || MPILauncher.isUnderMPI
        switch t.strategy {
        case "single": strategy = nil
        case "auto", "ddp": strategy = parallel ? try DDPStrategy(collectiveTimeout: t.collectiveTimeout) : nil  // auto + devices > 1: DDP
        case "zero1": strategy = parallel ? try ZeroStrategy(collectiveTimeout: t.collectiveTimeout) : nil
        default: throw TrainerError.misconfiguration("trainer.strategy \"\(t.strategy)\" is not auto, single, ddp or zero1")
        }
        if let strategy, t.devices > 1, strategy.worldSize != t.devices {
            throw TrainerError.misconfiguration(
                "trainer.devices is \(t.devices) but the job runs \(strategy.worldSize) MPI rank(s); make them agree "
                + "(mpirun -np \(t.devices), or --trainer.devices \(strategy.worldSize))")
        }
        if t.strategy == "single" && MPILauncher.isUnderMPI, let world = MPICommunicator.world, world.size > 1 {
            throw TrainerError.misconfiguration(
                "trainer.strategy is single but the job runs \(world.size) MPI ranks, which would each train alone and write "
                + "the same files; use strategy ddp, or start one process")
        }
        if t.strategy == "zero1" && configuration.module.optimizer.hasSuffix("8bit") {
            throw TrainerError.misconfiguration("module.optimizer \(configuration.module.optimizer) does not shard under zero1: use ddp")
        }
        let root = t.defaultRootDir
        var loggers: [any Logger] = []
        for name in t.loggers {
            switch name {
            case "csv": loggers.append(try CSVLogger(rootDirectory: root + "/volt_logs"))
            case "tensorboard": loggers.append(try TensorBoardLogger(rootDirectory: root + "/volt_logs"))
            default: throw TrainerError.misconfiguration("unknown logger \"\(name)\" (csv, tensorboard)")
            }
        }
        return try Trainer(
            maxEpochs: t.maxEpochs, maxSteps: t.maxSteps, accumulateGradBatches: t.accumulateGradBatches,
            gradientClipVal: t.gradientClipVal, gradientClipAlgorithm: GradientClipAlgorithm(rawValue: t.gradientClipAlgorithm) ?? .norm,
            valCheckInterval: t.valCheckInterval, checkValEveryNEpoch: t.checkValEveryNEpoch,
            limitTrainBatches: t.limitTrainBatches, limitValBatches: t.limitValBatches,
            limitTestBatches: t.limitTestBatches, numSanityValSteps: t.numSanityValSteps,
            logEveryNSteps: t.logEveryNSteps, fastDevRun: t.fastDevRun, overfitBatches: t.overfitBatches,
            deterministic: t.deterministic, defaultRootDir: root, enableProgressBar: t.enableProgressBar,
            enableCheckpointing: t.enableCheckpointing, precision: precision,
            maxTime: try t.maxTime.map(Self.seconds(maxTime:)), strategy: strategy,
            callbacks: try t.callbacks.map(Self.makeCallback) + extraCallbacks, loggers: loggers)
    }

    /// `trainer.max_time` in seconds: `DD:HH:MM:SS` (Lightning's string form) or a number of seconds.
    public static func seconds(maxTime text: String) throws -> Double {
        if let seconds = Double(text), seconds > 0 { return seconds }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 4, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else {
            throw TrainerError.misconfiguration("trainer.max_time must be DD:HH:MM:SS or a number of seconds, got \"\(text)\"")
        }
        let p = parts.map { Double($0!) }
        let total = ((p[0] * 24 + p[1]) * 60 + p[2]) * 60 + p[3]
        guard total > 0 else { throw TrainerError.misconfiguration("trainer.max_time must be longer than zero") }
        return total
    }

    static func makeCallback(_ entry: FineTuneConfiguration.CallbackEntry) throws -> any Callback {
        switch entry {
        case let .modelCheckpoint(c):
            return ModelCheckpoint(dirpath: c.dirpath, filename: c.filename, monitor: c.monitor, mode: try mode(c.mode),
                                   saveTopK: c.saveTopK, saveLast: c.saveLast, everyNEpochs: c.everyNEpochs,
                                   everyNTrainSteps: c.everyNTrainSteps, autoInsertMetricName: c.autoInsertMetricName,
                                   saveWeightsOnly: c.saveWeightsOnly)
        case let .earlyStopping(c):
            return EarlyStopping(monitor: c.monitor, minDelta: c.minDelta, patience: c.patience, mode: try mode(c.mode),
                                 stoppingThreshold: c.stoppingThreshold, divergenceThreshold: c.divergenceThreshold,
                                 checkFinite: c.checkFinite)
        case let .lrMonitor(c):
            guard let interval = LearningRateMonitor.Interval(rawValue: c.loggingInterval) else {
                throw TrainerError.misconfiguration("lr_monitor.logging_interval must be step or epoch")
            }
            return LearningRateMonitor(loggingInterval: interval)
        }
    }

    static func mode(_ name: String) throws -> MonitorMode {
        guard let mode = MonitorMode(rawValue: name) else { throw TrainerError.misconfiguration("mode must be min or max, not \(name)") }
        return mode
    }

    /// Fits the module; `ckptPath` resumes (`last`, `best` or a path); `extraCallbacks` join the configured ones.
    public func fit(ckptPath: String? = nil, extraCallbacks: [any Callback] = []) throws -> FitSummary {
        let module = try makeModule()
        let data = makeDataModule(maxPositions: module.model.configuration.maxPositionEmbeddings)
        let trainer = try makeTrainer(extraCallbacks: extraCallbacks)
        try trainer.fit(module, datamodule: data, ckptPath: ckptPath)
        writeMetricsPlots(trainer)
        let best = trainer.checkpointCallback
        return FitSummary(bestModelPath: best?.bestModelPath ?? "", bestModelScore: best?.bestModelScore,
                          globalStep: trainer.globalStep, logDirectory: trainer.logDirectory)
    }
}

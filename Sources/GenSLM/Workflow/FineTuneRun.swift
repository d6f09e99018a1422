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

    /// The module, with weights from `model.init` when it names a checkpoint or safetensors.
    public func makeModule() throws -> GenSLMModule {
        let module = try GenSLMModule(hyperparameters: hyperparameters)
        let source = configuration.model.initialization
        if source != "random" {
            if source.hasSuffix(ModelCheckpoint.fileExtension) {
                let checkpoint = try Checkpoint.read(from: source, weightsOnly: true)
                try module.model.load(stateDict: checkpoint.stateDictionary)
            } else {
                try module.model.importSafetensors(from: source)
            }
        }
        return module
    }

    /// The dataset of `data.path` (FASTA files or a token shard folder) and its train/validation split.
    public func makeData(maxPositions: Int) throws -> (dataset: TokenDataset, train: Subset<TokenDataset>, val: Subset<TokenDataset>?) {
        let d = configuration.data
        let dataset = try TokenDataset.open(d.path, maxLength: Swift.min(d.maxLength ?? maxPositions, maxPositions),
                                            padding: d.padding, countPadInLoss: d.countPadInLoss)
        let parts = dataset.randomSplit(d.split, seed: UInt64(configuration.seed))
        return (dataset, parts[0], parts.count > 1 && parts[1].count > 0 ? parts[1] : nil)
    }

    /// The training loader of `data:`: shuffled, or length-bucketed with `data.sampler: bucketed`.
    public func makeTrainLoader(_ dataset: TokenDataset, _ train: Subset<TokenDataset>) -> DataLoader<Subset<TokenDataset>, TokenBatch> {
        let d = configuration.data, seed = UInt64(configuration.seed)
        let sampler: (any Sampler)? = d.sampler == .bucketed
            ? BucketedSampler(train, batchSize: d.batchSize, windowBatches: d.bucketWindow, seed: seed) : nil
        return dataset.loader(train, batchSize: d.batchSize, shuffle: true, seed: seed, workers: d.numWorkers, sampler: sampler)
    }

    /// The trainer of `trainer:`.
    public func makeTrainer() throws -> Trainer {
        let t = configuration.trainer
        guard let precision = Precision(rawValue: t.precision) else {
            throw TrainerError.misconfiguration("trainer.precision \"\(t.precision)\" is not fp32, fp16 or bf16")
        }
        let strategy: (any Strategy)?
        switch t.strategy {
        case "single", "auto": strategy = nil
        case "ddp": strategy = t.devices > 1 || MPILauncher.isUnderMPI ? try DDPStrategy() : nil
        case "zero1": strategy = t.devices > 1 || MPILauncher.isUnderMPI ? try ZeroStrategy() : nil
        default: throw TrainerError.misconfiguration("trainer.strategy \"\(t.strategy)\" is not single, ddp or zero1")
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
            valCheckInterval: Self.limit(t.valCheckInterval), checkValEveryNEpoch: t.checkValEveryNEpoch,
            limitTrainBatches: Self.limit(t.limitTrainBatches), limitValBatches: Self.limit(t.limitValBatches),
            limitTestBatches: Self.limit(t.limitTestBatches), numSanityValSteps: t.numSanityValSteps,
            logEveryNSteps: t.logEveryNSteps, fastDevRun: t.fastDevRun, overfitBatches: t.overfitBatches,
            deterministic: t.deterministic, defaultRootDir: root, enableProgressBar: t.enableProgressBar,
            enableCheckpointing: t.enableCheckpointing, precision: precision, strategy: strategy,
            callbacks: try t.callbacks.map(Self.makeCallback), loggers: loggers)
    }

    /// YAML numbers: a whole number is a batch count, anything else a fraction (Lightning's int/float rule).
    static func limit(_ value: Double) -> BatchLimit {
        value == value.rounded() && value != 1 ? .count(Int(value)) : .fraction(value)
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

    /// Fits the module; `ckptPath` resumes (`last`, `best` or a path).
    public func fit(ckptPath: String? = nil) throws -> FitSummary {
        let module = try makeModule()
        let (dataset, train, val) = try makeData(maxPositions: module.model.configuration.maxPositionEmbeddings)
        let d = configuration.data
        let trainer = try makeTrainer()
        let trainLoader = makeTrainLoader(dataset, train)
        let valLoader = val.map { dataset.loader($0, batchSize: d.batchSize, workers: d.numWorkers) }
        try trainer.fit(module, train: trainLoader, val: valLoader, ckptPath: ckptPath)
        let best = trainer.checkpointCallback
        return FitSummary(bestModelPath: best?.bestModelPath ?? "", bestModelScore: best?.bestModelScore,
                          globalStep: trainer.globalStep, logDirectory: trainer.logDirectory)
    }
}

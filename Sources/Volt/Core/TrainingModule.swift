import VoltNN
import VoltTensor

/// What a user writes to train a model with Volt: the model, one step of each loop, and the optimizers —
/// Lightning's `LightningModule`.
///
/// With ``automaticOptimization`` (the default) ``trainingStep(_:index:context:)`` returns the loss and the
/// trainer runs backward, gradient accumulation, clipping, the optimizer and the schedulers. Without it, the step
/// calls `StepContext/manualBackward(_:)` and steps `context.optimizers` itself. Hooks have empty defaults.
public protocol TrainingModule: AnyObject {
    /// What the data loaders yield.
    associatedtype Batch
    /// The network whose tensors are the checkpoint's `state_dict`.
    associatedtype Model: Module
    /// What the module is built from (Lightning's `save_hyperparameters`): a Codable value saved in every
    /// checkpoint as JSON and in the loggers' `hparams.yaml`, and handed back to ``init(hyperparameters:)`` by
    /// ``load(from:)`` and by `VoltCLI`. A struct conforming to ``ConfigurationSection`` may leave keys out of
    /// YAML. Modules with nothing to save keep the default, ``NoHyperparameters``.
    associatedtype Hyperparameters: Codable = NoHyperparameters

    /// The network.
    var model: Model { get }
    /// Whether the trainer optimizes (true) or the training step does (false).
    var automaticOptimization: Bool { get }
    /// The module's hyper-parameters, saved in every checkpoint.
    var hyperparameters: Hyperparameters { get }

    /// Builds the module from hyper-parameters (Lightning's `load_from_checkpoint` calls `__init__` the same way).
    init(hyperparameters: Hyperparameters) throws

    /// One training batch. Returns the loss (automatic optimization) or `nil` (manual, or to skip the batch).
    func trainingStep(_ batch: Batch, index: Int, context: StepContext) throws -> Tensor?
    /// One validation batch; log metrics through `context`.
    func validationStep(_ batch: Batch, index: Int, context: StepContext) throws
    /// One test batch.
    func testStep(_ batch: Batch, index: Int, context: StepContext) throws
    /// One prediction batch.
    func predictStep(_ batch: Batch, index: Int, context: StepContext) throws -> Tensor
    /// The optimizers and learning-rate schedulers.
    func configureOptimizers() throws -> OptimizerConfiguration

    /// When `fit` starts, after restoring a checkpoint.
    func onFitStart(_ trainer: Trainer) throws
    /// When `fit` ends.
    func onFitEnd(_ trainer: Trainer) throws
    /// Before each training epoch.
    func onTrainEpochStart(_ trainer: Trainer) throws
    /// After each training epoch.
    func onTrainEpochEnd(_ trainer: Trainer) throws
    /// Before each validation loop.
    func onValidationEpochStart(_ trainer: Trainer) throws
    /// After each validation loop.
    func onValidationEpochEnd(_ trainer: Trainer) throws
    /// After the test loop.
    func onTestEpochEnd(_ trainer: Trainer) throws
    /// Before each training batch.
    func onTrainBatchStart(_ batch: Batch, index: Int, trainer: Trainer) throws
    /// After each training batch.
    func onTrainBatchEnd(_ batch: Batch, index: Int, trainer: Trainer) throws
    /// Before each optimizer step, with the gradients unscaled (Lightning's `on_before_optimizer_step`).
    func onBeforeOptimizerStep(_ optimizer: any Optimizer, trainer: Trainer) throws
    /// Adds module-specific state to a checkpoint before it is written.
    func onSaveCheckpoint(_ checkpoint: inout Checkpoint) throws
    /// Reads module-specific state from a checkpoint being restored.
    func onLoadCheckpoint(_ checkpoint: Checkpoint) throws
    /// Loads the checkpoint's weights into ``model``; by default every tensor, by name, strictly. A module whose
    /// checkpoints hold only part of the model (LoRA adapters over a base referenced by hash) checks and loads
    /// that part.
    func loadModelState(from checkpoint: Checkpoint) throws
}

extension TrainingModule {
    public var automaticOptimization: Bool { true }
    public func validationStep(_ batch: Batch, index: Int, context: StepContext) throws {}
    public func testStep(_ batch: Batch, index: Int, context: StepContext) throws {
        throw TrainerError.missingStep("testStep")
    }
    public func predictStep(_ batch: Batch, index: Int, context: StepContext) throws -> Tensor {
        throw TrainerError.missingStep("predictStep")
    }
    public func onFitStart(_ trainer: Trainer) throws {}
    public func onFitEnd(_ trainer: Trainer) throws {}
    public func onTrainEpochStart(_ trainer: Trainer) throws {}
    public func onTrainEpochEnd(_ trainer: Trainer) throws {}
    public func onValidationEpochStart(_ trainer: Trainer) throws {}
    public func onValidationEpochEnd(_ trainer: Trainer) throws {}
    public func onTestEpochEnd(_ trainer: Trainer) throws {}
    public func onTrainBatchStart(_ batch: Batch, index: Int, trainer: Trainer) throws {}
    public func onTrainBatchEnd(_ batch: Batch, index: Int, trainer: Trainer) throws {}
    public func onBeforeOptimizerStep(_ optimizer: any Optimizer, trainer: Trainer) throws {}
    public func onSaveCheckpoint(_ checkpoint: inout Checkpoint) throws {}
    public func onLoadCheckpoint(_ checkpoint: Checkpoint) throws {}
    public func loadModelState(from checkpoint: Checkpoint) throws { try model.load(stateDict: checkpoint.stateDictionary) }

    /// A module rebuilt from a checkpoint's hyper-parameters with its weights loaded (Lightning's
    /// `load_from_checkpoint`).
    ///
    /// - Throws: ``CheckpointError`` for a file that is missing, truncated, corrupt or of another format, and
    ///   `ModuleError` when its weights do not fit the model; nothing is half-loaded.
    public static func load(from path: String) throws -> Self {
        let checkpoint = try Checkpoint.read(from: path, weightsOnly: true)
        let module = try Self(hyperparameters: checkpoint.metadata.hyperparameters.decode(Hyperparameters.self, source: path))
        try module.loadModelState(from: checkpoint)
        module.model.eval()
        return module
    }
}

extension TrainingModule where Hyperparameters == NoHyperparameters {
    /// Nothing to save.
    public var hyperparameters: NoHyperparameters { NoHyperparameters() }
}

/// The hyper-parameters of a module that has none: saved as `{}`.
public struct NoHyperparameters: ConfigurationSection, Sendable, Equatable {
    /// Nothing.
    public init() {}
}

/// Batches that know how many examples they hold (used to weight epoch means), as Lightning infers it.
public protocol BatchSizeProviding {
    /// Examples in the batch.
    var batchSize: Int { get }
}

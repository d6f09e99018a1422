import Foundation
import VoltNN
import VoltTensor

/// Root attributes of a checkpoint: what wrote it, when, and where training stood.
public struct CheckpointMetadata: Sendable, Equatable {
    /// The `format` attribute every Volt checkpoint carries.
    public static let format = "volt-checkpoint"
    /// Version of the file layout this Volt writes and reads.
    public static let formatVersion = 1
    /// This Volt's version, stamped into the checkpoints it writes.
    public static let voltVersion = "0.1.0"

    /// `format`: "volt-checkpoint" for a Volt checkpoint.
    public var format = CheckpointMetadata.format
    /// `format_version`: the layout version (readers refuse versions they do not know).
    public var formatVersion = CheckpointMetadata.formatVersion
    /// `volt_version`: the Volt that wrote the file.
    public var voltVersion = CheckpointMetadata.voltVersion
    /// `created_utc`: ISO 8601 time of writing (`2026-11-24T03:44:00Z`).
    public var createdUTC: String
    /// `epoch`: the epoch in progress when the checkpoint was taken.
    public var epoch: Int
    /// `global_step`: optimizer steps taken so far.
    public var globalStep: Int
    /// `module`: type name of the training module.
    public var module: String
    /// `hparams`: the module's hyper-parameters, stored as one JSON object.
    public var hyperparameters: SavedHyperparameters
    /// `precision`: the training precision, stored as its name ("fp32", "fp16" or "bf16").
    public var precision: Precision
    /// `world_size`: processes that trained.
    public var worldSize: Int

    /// Metadata stamped with the current time.
    public init(epoch: Int = 0, globalStep: Int = 0, module: String = "", hyperparameters: SavedHyperparameters = .empty,
                precision: Precision = .fp32, worldSize: Int = 1,
                createdUTC: String = ISO8601DateFormatter().string(from: Date())) {
        self.epoch = epoch
        self.globalStep = globalStep
        self.module = module
        self.hyperparameters = hyperparameters
        self.precision = precision
        self.worldSize = worldSize
        self.createdUTC = createdUTC
    }
}

/// Everything needed to restore a training run exactly: weights, optimizer and scheduler state, the loss
/// scaler, the loop position, callback state, random generators and pending gradients.
///
/// A checkpoint is an HDF5 file readable by h5py and h5dump; ``write(to:)`` and ``read(from:weightsOnly:)``
/// describe the layout (<doc:checkpoint-format>). Reading gives a complete value or throws
/// ``CheckpointError``; nothing is ever returned half-read.
public struct Checkpoint {
    /// Root attributes.
    public var metadata: CheckpointMetadata
    /// Module tensors in the module's order, named as transformers' state dict
    /// (`gpt_neox.layers.0.attention.query_key_value.weight`); the order survives the file.
    public var stateDict: [(name: String, tensor: Tensor)]
    /// One state per optimizer, in configuration order.
    public var optimizers: [OptimizerState]
    /// Learning-rate schedulers, in configuration order: a type name and the scheduler's numeric state.
    public var schedulers: [(type: String, state: [String: Double])]
    /// The loss scaler's state, as the precision plugin saves it (`loss_scale`, `growth_tracker` under fp16);
    /// empty otherwise. Stored as the attributes of `/precision`.
    public var lossScaler: [String: Double]
    /// Loop position (`epoch`, `batch_index`, `global_step`, sampler seed/epoch, …); any keys.
    public var loops: [String: Int]
    /// Callback states (JSON text) by state key, e.g. `ModelCheckpoint{monitor=val_loss,mode=min}`.
    public var callbacks: [String: String]
    /// Random generator states by name (`rank0/<stream>` → `[seed, offset]`).
    public var rng: [String: [UInt64]]
    /// Gradients accumulated but not yet applied (a checkpoint taken mid-accumulation), in module order.
    public var gradients: [(name: String, tensor: Tensor)]

    /// A checkpoint; every section but the metadata and state dict defaults to empty.
    public init(metadata: CheckpointMetadata, stateDict: [(name: String, tensor: Tensor)],
                optimizers: [OptimizerState] = [], schedulers: [(type: String, state: [String: Double])] = [],
                lossScaler: [String: Double] = [:], loops: [String: Int] = [:], callbacks: [String: String] = [:],
                rng: [String: [UInt64]] = [:], gradients: [(name: String, tensor: Tensor)] = []) {
        self.metadata = metadata
        self.stateDict = stateDict
        self.optimizers = optimizers
        self.schedulers = schedulers
        self.lossScaler = lossScaler
        self.loops = loops
        self.callbacks = callbacks
        self.rng = rng
        self.gradients = gradients
    }

    /// The state dict by name (the first tensor wins if a name repeats).
    public var stateDictionary: [String: Tensor] {
        Dictionary(stateDict.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }
}

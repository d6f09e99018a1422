import Foundation
import VoltNN
import VoltTensor

/// Root attributes of a checkpoint.
public struct CheckpointMetadata: Sendable {
    /// Version of the file layout this Volt writes and reads.
    public static let formatVersion = 1
    /// Volt's version.
    public static let voltVersion = "0.1.0"

    public var formatVersion = CheckpointMetadata.formatVersion
    public var voltVersion = CheckpointMetadata.voltVersion
    /// ISO 8601 time of writing.
    public var createdUTC: String
    public var epoch: Int
    public var globalStep: Int
    /// Type name of the training module.
    public var module: String
    /// The module's hyper-parameters (`hparams` attribute, JSON).
    public var hyperparameters: [String: HParam]
    public var precision: String
    public var worldSize: Int

    /// Metadata stamped with the current time.
    public init(epoch: Int, globalStep: Int, module: String, hyperparameters: [String: HParam], precision: String,
                worldSize: Int, createdUTC: String = ISO8601DateFormatter().string(from: Date())) {
        self.epoch = epoch
        self.globalStep = globalStep
        self.module = module
        self.hyperparameters = hyperparameters
        self.precision = precision
        self.worldSize = worldSize
        self.createdUTC = createdUTC
    }
}

/// Everything needed to restore a training run exactly, as written to an HDF5 file (DESIGN.md §3,
/// docs/checkpoint-format.md).
public struct Checkpoint {
    public var metadata: CheckpointMetadata
    /// Module tensors in the module's order, named as transformers' state dict.
    public var stateDict: [(name: String, tensor: Tensor)]
    /// One state per optimizer.
    public var optimizers: [OptimizerState] = []
    /// Learning-rate schedulers: type and state.
    public var schedulers: [(type: String, state: [String: Double])] = []
    /// Loss-scaler state (fp16).
    public var precision: [String: Double] = [:]
    /// Loop position: epoch, batch_index, global_step, …
    public var loops: [String: Int] = [:]
    /// Callback states (JSON) by state key.
    public var callbacks: [String: String] = [:]
    /// Random generator states by name (`rank0/<stream>` → [seed, counter]).
    public var rng: [String: [UInt64]] = [:]
    /// Gradients accumulated but not yet applied.
    public var gradients: [(name: String, tensor: Tensor)] = []

    /// A checkpoint holding `stateDict`.
    public init(metadata: CheckpointMetadata, stateDict: [(name: String, tensor: Tensor)]) {
        self.metadata = metadata
        self.stateDict = stateDict
    }

    /// The state dict by name.
    public var stateDictionary: [String: Tensor] {
        Dictionary(stateDict.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }
}

/// A checkpoint that cannot be written or read. Nothing is loaded from a file that raises one.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case notFound(path: String)
    case unreadable(path: String, reason: String)
    /// A dataset whose Fletcher32 checksum does not match its data.
    case corrupt(path: String, object: String)
    case notAVoltCheckpoint(path: String)
    case unsupportedVersion(path: String, version: Int)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notFound(path): "\(path): checkpoint not found"
        case let .unreadable(path, reason): "\(path): cannot read checkpoint: \(reason)"
        case let .corrupt(path, object): "\(path): checksum mismatch in \(object): the file is corrupt"
        case let .notAVoltCheckpoint(path): "\(path): not a Volt checkpoint (no format=\"volt-checkpoint\" attribute)"
        case let .unsupportedVersion(path, version):
            "\(path): checkpoint format version \(version) is not supported (this Volt reads \(CheckpointMetadata.formatVersion))"
        case let .cannotWrite(path, reason): "\(path): cannot write checkpoint: \(reason)"
        }
    }
}

import VoltHDF5

/// A checkpoint that cannot be written or read, naming the file and, where there is one, the object in it.
///
/// A read that throws has loaded nothing; a write that throws has left any existing file at the path untouched
/// and no `.tmp` behind.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// There is no file at `path`.
    case notFound(path: String)
    /// The file is not a complete HDF5 file: cut short (a crash or full disk while copying) or something else.
    case notHDF5(path: String)
    /// The file is HDF5 but has no `format="volt-checkpoint"` attribute.
    case notAVoltCheckpoint(path: String)
    /// The file's `format_version` is one this Volt does not read.
    case unsupportedVersion(path: String, version: Int)
    /// Stored data (or an object header) does not match its checksum: the file was damaged after writing.
    case checksumMismatch(path: String, object: String)
    /// An object the layout requires is missing or holds the wrong kind of value.
    case malformed(path: String, object: String, reason: String)
    /// HDF5 failed to read `object` for another reason.
    case unreadable(path: String, object: String, reason: String)
    /// The checkpoint could not be written to `path` (`object` is the part being written, `/` for the file).
    case cannotWrite(path: String, object: String, reason: String)

    /// A sentence naming the file (and object) and what is wrong.
    public var description: String {
        switch self {
        case let .notFound(path): "\(path): no such checkpoint file"
        case let .notHDF5(path): "\(path): truncated or not an HDF5 file"
        case let .notAVoltCheckpoint(path): "\(path): not a Volt checkpoint (no format=\"volt-checkpoint\" attribute)"
        case let .unsupportedVersion(path, version):
            "\(path): checkpoint format version \(version) is not supported (this Volt reads \(CheckpointMetadata.formatVersion))"
        case let .checksumMismatch(path, object): "checksum mismatch in \(path):\(object): the file is corrupt"
        case let .malformed(path, object, reason): "\(path):\(object): not a valid Volt checkpoint: \(reason)"
        case let .unreadable(path, object, reason): "\(path):\(object): cannot read: \(reason)"
        case let .cannotWrite(path, object, reason):
            "\(path): cannot write checkpoint" + (object == "/" ? "" : " (\(object))") + ": \(reason)"
        }
    }

    /// The error a failed read of `path` reports.
    init(reading path: String, _ error: HDF5Error) {
        let reason = "\(error.operation) failed" + (error.detail.isEmpty ? "" : ": \(error.detail)")
        switch error.kind {
        case .cannotOpen: self = .notHDF5(path: path)
        case .checksumMismatch: self = .checksumMismatch(path: path, object: error.object)
        case .notFound: self = .malformed(path: path, object: error.object, reason: "missing")
        case .unsupported: self = .malformed(path: path, object: error.object, reason: error.detail)
        case .failed: self = .unreadable(path: path, object: error.object, reason: reason)
        }
    }

    /// The error a failed write of `path` reports (the HDF5 file being written is `path.tmp`).
    init(writing path: String, _ error: HDF5Error) {
        let reason = "\(error.operation) failed" + (error.detail.isEmpty ? "" : ": \(error.detail)")
        self = .cannotWrite(path: path, object: error.object, reason: reason)
    }
}

/// Why a PyTorch checkpoint, a safetensors source or a transformers folder could not be imported.
///
/// Every case names the file; the descriptions say what to do where there is something to do.
public enum TorchImportError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// A file written by `torch.save` before PyTorch 1.6 (a bare pickle stream, not a zip).
    case legacyFormat(path: String)
    /// Neither a zip archive nor a legacy PyTorch file.
    case notACheckpoint(path: String, reason: String)
    /// The zip container is damaged (truncated, bad central directory, wrong checksum) or lacks a record.
    case corruptArchive(path: String, record: String, reason: String)
    /// The pickle names a global that is not on the allow-list; nothing was run.
    case forbiddenGlobal(path: String, name: String)
    /// The pickle stream is malformed or uses an opcode this reader does not take.
    case malformedPickle(path: String, offset: Int, reason: String)
    /// The pickle is well formed but does not hold what a checkpoint should.
    case unexpectedContent(path: String, key: String, reason: String)
    /// A tensor whose storage type or layout cannot be imported.
    case unsupportedTensor(path: String, key: String, reason: String)
    /// A transformers `config.json` that cannot describe the model: not a JSON object, a key missing or of the
    /// wrong type, or a setting the model family does not implement (the reason names the key).
    case badConfiguration(path: String, reason: String)
    /// The tensors' shapes fit no configuration the model family knows and none was given, or disagree with the
    /// one given.
    case configurationMismatch(path: String, reason: String)
    /// Missing, unexpected or wrongly shaped tensors, each listed.
    case stateDictMismatch(path: String, missing: [String], unexpected: [String], wrongShape: [String])

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "\(path): cannot read: \(reason)"
        case let .legacyFormat(path):
            "\(path): legacy PyTorch format (written by torch.save before PyTorch 1.6, a bare pickle rather than a zip), "
                + "which Volt does not read; re-save it with a current PyTorch: "
                + "`torch.save(torch.load(\"\(path)\", weights_only=True), \"resaved.pt\", _use_new_zipfile_serialization=True)`"
        case let .notACheckpoint(path, reason): "\(path): not a PyTorch checkpoint: \(reason)"
        case let .corruptArchive(path, record, reason): "\(path): damaged zip archive (record \(record)): \(reason)"
        case let .forbiddenGlobal(path, name):
            "\(path): the pickle refers to \(name), which is not on the allow-list of tensor-rebuilding globals; "
                + "refused without running anything (as torch.load(weights_only=True) would)"
        case let .malformedPickle(path, offset, reason): "\(path): malformed pickle at byte \(offset) of data.pkl: \(reason)"
        case let .unexpectedContent(path, key, reason): "\(path): \(key): \(reason)"
        case let .unsupportedTensor(path, key, reason): "\(path): tensor \(key): \(reason)"
        case let .badConfiguration(path, reason): "\(path): unusable model configuration: \(reason)"
        case let .configurationMismatch(path, reason): "\(path): \(reason)"
        case let .stateDictMismatch(path, missing, unexpected, wrongShape):
            "\(path): the weights do not fit the model (nothing was written)"
                + (missing.isEmpty ? "" : "\n  missing (\(missing.count)): " + missing.joined(separator: ", "))
                + (unexpected.isEmpty ? "" : "\n  unexpected (\(unexpected.count)): " + unexpected.joined(separator: ", "))
                + (wrongShape.isEmpty ? "" : "\n  wrong shape (\(wrongShape.count)): " + wrongShape.joined(separator: "; "))
        }
    }
}

import Foundation
import VoltTensor

/// A checkpoint written by `torch.save` (`.pt`, `.pth`, `.ckpt`, `pytorch_model.bin`), read without Python.
///
/// Opening it parses the zip directory and runs the pickle through the allow-listing ``Unpickler``; tensor data
/// is read only by ``readTensors(_:)``, storage by storage, straight from the file.
public struct TorchCheckpoint {
    /// The file.
    public let path: String
    /// The unpickled object (a dict for a state dict or a Lightning checkpoint).
    public let root: PickleValue
    private let archive: TorchZipArchive

    /// The first bytes of a legacy (pre-1.6) `torch.save` file: `PROTO 2`, then `LONG1` of the magic number
    /// 0x1950a86a20f9469cfc6c.
    static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]

    /// Opens and unpickles `path`.
    ///
    /// - Throws: ``TorchImportError``: `.legacyFormat` for a pre-1.6 file, `.notACheckpoint`, `.corruptArchive`,
    ///   `.forbiddenGlobal` (nothing is run), `.malformedPickle`, `.unsupportedTensor` for big-endian data.
    public init(path: String) throws(TorchImportError) {
        self.path = path
        let head = try Self.head(of: path)
        if head.starts(with: Self.legacyMagic) { throw .legacyFormat(path: path) }
        guard head.starts(with: [0x50, 0x4b]) else {
            throw .notACheckpoint(path: path, reason: head.first == 0x80
                ? "a bare pickle stream, not the zip container torch.save writes (re-save it with torch.save)"
                : "it is not a zip archive")
        }
        archive = try TorchZipArchive(path: path)
        let order = try archive.byteOrder()
        guard order == "little" else {
            throw .unsupportedTensor(path: path, key: "byteorder", reason: "storages are \(order)-endian; only little-endian is read")
        }
        var unpickler = Unpickler(try archive.bytes(of: "data.pkl"), path: path)
        root = try unpickler.load()
    }

    private static func head(of path: String) throws(TorchImportError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.read(upToCount: legacyMagic.count) ?? Data())
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    /// Lightning's `epoch`, `global_step` and version, when the file is a Lightning checkpoint.
    public var lightning: LightningMetadata? {
        guard case let .dict(top) = root, top["state_dict"] != nil else { return nil }
        return LightningMetadata(epoch: top["epoch"]?.intValue, globalStep: top["global_step"]?.intValue,
                                 lightningVersion: top["pytorch-lightning_version"]?.stringValue,
                                 otherKeys: top.stringKeys.filter { !["state_dict", "epoch", "global_step", "pytorch-lightning_version"].contains($0) })
    }

    /// The state dict: `state_dict` of a Lightning checkpoint, or the top-level dict itself when it holds only
    /// tensors, with the names as saved.
    ///
    /// - Throws: ``TorchImportError/unexpectedContent(path:key:reason:)`` when neither is there or a value is
    ///   not a tensor.
    public func stateDict() throws(TorchImportError) -> [(name: String, tensor: TorchTensorReference)] {
        guard case let .dict(top) = root else {
            throw .unexpectedContent(path: path, key: "(top level)", reason: "a \(root.kindName), not a dict")
        }
        let dict: PickleDict
        if case let .dict(inner)? = top["state_dict"] {
            dict = inner
        } else if top.entries.allSatisfy({ if case .tensor = $0.value { true } else { false } }) {
            dict = top
        } else {
            throw .unexpectedContent(path: path, key: "(top level)",
                                     reason: "no state_dict and not a dict of tensors; keys: \(top.stringKeys.joined(separator: ", "))")
        }
        var result: [(name: String, tensor: TorchTensorReference)] = []
        for (key, value) in dict.entries {
            guard let name = key.stringValue else {
                throw .unexpectedContent(path: path, key: "state_dict", reason: "a key that is a \(key.kindName), not a string")
            }
            guard case let .tensor(tensor) = value else {
                throw .unexpectedContent(path: path, key: name, reason: "a \(value.kindName), not a tensor")
            }
            result.append((name, tensor))
        }
        return result
    }

    /// Reads the floating-point tensors `tensors` (float32, float16 or bfloat16 storages), each as a Volt tensor
    /// of its stored type. Each storage is read once, straight from the file into the buffer the tensors view,
    /// so tensors that cover their storage cost no copy; a transposed layout is made row-major.
    ///
    /// - Throws: ``TorchImportError/unsupportedTensor(path:key:reason:)`` for another element type or a layout
    ///   that is not a transposition of a contiguous block; ``TorchImportError/corruptArchive(path:record:reason:)``.
    public func readTensors(_ tensors: [(name: String, tensor: TorchTensorReference)]) throws(TorchImportError)
        -> [(name: String, tensor: Tensor)] {
        var storages: [String: Tensor] = [:]
        var remainingUses = Dictionary(tensors.map { ($0.tensor.storage.key, 1) }, uniquingKeysWith: +)
        var result: [(name: String, tensor: Tensor)] = []
        for (name, reference) in tensors {
            let key = reference.storage.key
            guard let dtype = Self.voltType(reference.storage.type) else {
                throw .unsupportedTensor(path: path, key: name, reason: "storage type torch.\(reference.storage.type.className) "
                                         + "is not a floating-point weight type (float32, float16, bfloat16)")
            }
            let storage: Tensor
            if let cached = storages[key] {
                storage = cached
            } else {
                // The record's size is checked before allocating, so a hostile count cannot ask for memory.
                let bytes = reference.storage.count * dtype.byteSize
                let recorded = try archive.size(of: "data/" + key)
                guard recorded == bytes else {
                    throw .corruptArchive(path: path, record: archive.prefix + "/data/" + key,
                                          reason: "holds \(recorded) bytes where its \(reference.storage.count) elements need \(bytes)")
                }
                storage = Tensor(uninitializedShape: [reference.storage.count], dtype: dtype)
                try archive.read("data/" + key, into: UnsafeMutableRawBufferPointer(
                    start: storage.rawPointer, count: reference.storage.count * dtype.byteSize))
                storages[key] = storage
            }
            result.append((name, try view(storage, as: reference, name: name)))
            remainingUses[key, default: 1] -= 1
            if remainingUses[key] == 0 { storages[key] = nil }
        }
        return result
    }

    /// The values of an int64 tensor (contiguous), for the small integer tensors beside the weights.
    public func int64Values(_ reference: TorchTensorReference, name: String) throws(TorchImportError) -> [Int64] {
        let raw = try contiguousBytes(reference, name: name, type: .int64)
        return stride(from: 0, to: raw.count, by: 8).map { i in
            raw[i..<(i + 8)].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        }
    }

    /// The values of a bool tensor (contiguous).
    public func boolValues(_ reference: TorchTensorReference, name: String) throws(TorchImportError) -> [Bool] {
        try contiguousBytes(reference, name: name, type: .bool).map { $0 != 0 }
    }

    // MARK: Helpers

    static func voltType(_ type: TorchStorageType) -> DType? {
        switch type {
        case .float32: .float32
        case .float16: .float16
        case .bfloat16: .bfloat16
        default: nil
        }
    }

    /// The tensor `reference` describes, as a view of (or, when transposed, a row-major copy from) `storage`.
    private func view(_ storage: Tensor, as reference: TorchTensorReference, name: String) throws(TorchImportError) -> Tensor {
        let shape = reference.shape
        guard reference.count > 0 else { return Tensor(uninitializedShape: shape, dtype: storage.dtype) }
        guard let order = reference.isContiguous ? Array(shape.indices) : reference.rowMajorOrder else {
            throw .unsupportedTensor(path: path, key: name, reason: "strides \(reference.strides) for shape \(shape) are "
                                     + "neither row-major nor a transposition of it (overlapping or gapped views are not imported)")
        }
        let end = reference.offset + reference.count
        guard end <= reference.storage.count else {
            throw .unsupportedTensor(path: path, key: name, reason: "elements \(reference.offset)..<\(end) lie outside "
                                     + "its storage of \(reference.storage.count)")
        }
        return withNoGrad {
            let block = storage.slice(axis: 0, reference.offset..<end)
            if reference.isContiguous { return block.reshaped(shape) }
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, axis) in order.enumerated() { inverse[axis] = i }
            return block.reshaped(order.map { shape[$0] }).permuted(inverse).contiguous()
        }
    }

    private func contiguousBytes(_ reference: TorchTensorReference, name: String,
                                 type: TorchStorageType) throws(TorchImportError) -> [UInt8] {
        guard reference.storage.type == type else {
            throw .unsupportedTensor(path: path, key: name, reason: "is torch.\(reference.storage.type.className), not \(type.className)")
        }
        guard reference.isContiguous, reference.offset + reference.count <= reference.storage.count else {
            throw .unsupportedTensor(path: path, key: name, reason: "not a contiguous view of its storage")
        }
        let raw = try archive.bytes(of: "data/" + reference.storage.key)
        guard raw.count == reference.storage.count * type.byteSize else {
            throw .corruptArchive(path: path, record: "data/" + reference.storage.key,
                                  reason: "holds \(raw.count) bytes where \(reference.storage.count * type.byteSize) are needed")
        }
        return Array(raw[(reference.offset * type.byteSize)..<((reference.offset + reference.count) * type.byteSize)])
    }
}

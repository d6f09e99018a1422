import Foundation
import VoltTensor

/// One safetensors file opened for reading: the JSON header is parsed at once, and each tensor's bytes are read
/// on request with `pread` straight into the tensor's buffer (never the whole file into memory).
public struct SafetensorsFile {
    /// A tensor the header describes.
    public struct Entry: Sendable {
        /// State-dict name.
        public var name: String
        /// The header's dtype (`F32`, `F16`, `BF16`, `I64`, `BOOL`, …).
        public var dtype: String
        /// Shape.
        public var shape: [Int]
        /// Absolute byte range in the file.
        public var range: Range<Int>
    }

    /// The file.
    public let path: String
    /// The tensors in file order.
    public let entries: [Entry]
    /// The header's `__metadata__`.
    public let metadata: [String: String]

    /// Parses the header of `path`.
    ///
    /// - Throws: ``SafetensorsError`` naming the file and the entry at fault.
    public init(path: String) throws(SafetensorsError) {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable(path) }
        defer { try? handle.close() }
        let fileSize: Int
        let header: [String: Any]
        let bodyStart: Int
        do {
            fileSize = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let prefix = try handle.read(upToCount: 8) ?? Data()
            guard prefix.count == 8 else { throw SafetensorsError.malformed(path, "shorter than its 8-byte header length") }
            let length = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            guard length > 0, length <= UInt64(fileSize - 8) else {
                throw SafetensorsError.malformed(path, "header length \(length) does not fit the file's \(fileSize) bytes")
            }
            bodyStart = 8 + Int(length)
            guard let json = try handle.read(upToCount: Int(length)), json.count == Int(length),
                  let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
                throw SafetensorsError.malformed(path, "unreadable JSON header")
            }
            header = object
        } catch let error as SafetensorsError {
            throw error
        } catch {
            throw .unreadable(path)
        }
        var entries: [Entry] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], shape.allSatisfy({ $0 >= 0 && $0 < 1 << 48 }),
                  let range = entry["data_offsets"] as? [Int], range.count == 2,
                  range[0] >= 0, range[0] <= range[1], bodyStart + range[1] <= fileSize else {
                throw .malformed(path, "bad entry for \(name) (or its data lies past the end of the file)")
            }
            let count = shape.reduce(1) { $0 == 0 || $1 == 0 ? 0 : ($0 <= fileSize / $1 ? $0 * $1 : fileSize + 1) }
            if let size = Self.byteSize(dtype), count > fileSize || range[1] - range[0] != count * size {
                throw .malformed(path, "\(name): \(range[1] - range[0]) bytes for shape \(shape) \(dtype)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, range: (bodyStart + range[0])..<(bodyStart + range[1])))
        }
        self.entries = entries.sorted { $0.range.lowerBound < $1.range.lowerBound }
        self.metadata = (header["__metadata__"] as? [String: String]) ?? [:]
    }

    /// Bytes per element of a safetensors dtype, when known.
    static func byteSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": 8
        case "F32", "I32", "U32": 4
        case "F16", "BF16", "I16", "U16": 2
        case "I8", "U8", "BOOL": 1
        default: nil
        }
    }

    /// Volt's type for a floating-point safetensors dtype.
    static func voltType(_ dtype: String) -> DType? {
        switch dtype {
        case "F32": .float32
        case "F16": .float16
        case "BF16": .bfloat16
        default: nil
        }
    }

    /// Reads `entry` as a tensor of its stored type (F32, F16 or BF16).
    ///
    /// - Throws: ``SafetensorsError/unsupportedType(_:name:dtype:)`` or ``SafetensorsError/unreadable(_:)``.
    public func read(_ entry: Entry) throws(SafetensorsError) -> Tensor {
        guard let dtype = Self.voltType(entry.dtype) else { throw .unsupportedType(path, name: entry.name, dtype: entry.dtype) }
        let tensor = Tensor(uninitializedShape: entry.shape, dtype: dtype)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path) }
        defer { close(fd) }
        var done = 0
        let total = entry.range.count
        while done < total {
            let n = pread(fd, tensor.rawPointer + done, total - done, off_t(entry.range.lowerBound + done))
            guard n > 0 else { throw .malformed(path, "\(entry.name): the file ends inside its data") }
            done += n
        }
        return tensor
    }
}

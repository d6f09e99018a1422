import Foundation
import VoltTensor

/// The safetensors format of Hugging Face: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data. `transformers` loads a folder holding
/// `model.safetensors` and `config.json`.
public enum Safetensors {
    /// Writes `tensors` (in order) to `path` as float32 (`F32`), durably (``DurableFile``).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], to path: String,
                             metadata: [String: String] = ["format": "pt"]) throws {
        try DurableFile.write(try encode(tensors, metadata: metadata), to: path)
    }

    /// The bytes of a safetensors file holding `tensors` (in order) as float32 (`F32`).
    public static func encode(_ tensors: [(name: String, tensor: Tensor)],
                              metadata: [String: String] = ["format": "pt"]) throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        var blobs: [Tensor] = []
        for (name, tensor) in tensors {
            let t = tensor.float32().contiguous()
            let bytes = t.count * 4
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
            blobs.append(t)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // pad the header with spaces, as the reference writer does
        var data = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for t in blobs { data.append(Data(bytes: t.rawPointer, count: t.count * 4)) }
        return data
    }

    /// Reads every tensor of a safetensors file, in file order (F32, F16 and BF16 become float32).
    ///
    /// - Throws: ``SafetensorsError`` naming the file and what is wrong with it.
    public static func read(from path: String) throws -> [(name: String, tensor: Tensor)] {
        let file = try SafetensorsFile(path: path)
        return try file.entries.map { (name: $0.name, tensor: try file.read($0).float32()) }
    }
}

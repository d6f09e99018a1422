import Foundation
import LLaMA
import VoltInterop
import VoltTensor

/// The folders and files scripts/make_llama_io_fixtures.py wrote with transformers 5.25 and peft 0.21.2.
enum IOFixture {
    /// Tests/LLaMATests/Fixtures/io.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("io").path

    /// The path of `name` in the fixture folder.
    static func path(_ name: String) -> String { folder + "/" + name }

    /// The input ids (int32) and the peer's logits stored in `name` (`llama_expected.safetensors`, …).
    static func expected(_ name: String) throws -> (inputIds: Tensor, logits: Tensor) {
        let tensors = Dictionary(uniqueKeysWithValues: try Safetensors.read(from: path(name)).map { ($0.name, $0.tensor) })
        let ids = tensors["input_ids"]!
        return (Tensor(shape: ids.shape, indices: ids.scalars.map { Int32($0) }), tensors["logits"]!)
    }

    /// The header of the safetensors files `paths` together: name → (dtype, shape).
    static func header(_ paths: [String]) throws -> [String: String] {
        var header: [String: String] = [:]
        for path in paths {
            for entry in try SafetensorsFile(path: path).entries { header[entry.name] = "\(entry.dtype) \(entry.shape)" }
        }
        return header
    }

    /// The shard files of a save_pretrained folder (or its one model.safetensors).
    static func safetensorsFiles(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".safetensors") }.sorted()
            .map { folder + "/" + $0 }
    }

    /// The top-level keys of a JSON object file.
    static func jsonKeys(_ path: String) throws -> Set<String> {
        Set(try TransformersConfiguration(contentsOf: path).values.keys)
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "llama-io-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes Volt's logits beside an exported folder, for scripts/make_llama_io_fixtures.py --check.
    static func writeVoltLogits(_ logits: Tensor, inputIds: Tensor, to folder: String) throws {
        let ids = Tensor(shape: inputIds.shape, scalars: inputIds.indices.map { Float($0) })
        try Safetensors.write([(name: "input_ids", tensor: ids), (name: "logits", tensor: logits)],
                              to: folder + "/volt_logits.safetensors")
    }
}

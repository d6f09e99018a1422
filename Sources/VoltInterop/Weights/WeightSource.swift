import Foundation
import VoltTensor

/// Where imported weights come from: a `torch.save` file (`.pt`, `.pth`, `.ckpt`, `.bin`), a `.safetensors` file,
/// or a transformers model folder (`model.safetensors`, sharded with `model.safetensors.index.json`, or
/// `pytorch_model.bin`, optionally sharded), whose `config.json` is used when present.
public struct WeightSource {
    /// `torch`, `safetensors` or `transformers-folder`.
    public let format: String
    /// The files read.
    public let files: [String]
    /// The folder's `config.json`, if the source is a folder that has one.
    public let configPath: String?
    /// Lightning's metadata, for a Lightning checkpoint.
    public let lightning: LightningMetadata?
    let parts: [any WeightFile]

    /// File extensions read as `torch.save` files.
    public static let torchExtensions: Set<String> = ["pt", "pth", "ckpt", "bin"]

    /// Opens `path` and lists its tensors (no tensor data is read yet).
    ///
    /// - Throws: ``TorchImportError`` or ``SafetensorsError`` naming the file.
    public static func open(_ path: String) throws -> WeightSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TorchImportError.unreadable(path: path, reason: "no such file or folder")
        }
        if isDirectory.boolValue { return try openFolder(path) }
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "safetensors" {
            return WeightSource(format: "safetensors", files: [path], configPath: nil, lightning: nil,
                                parts: [SafetensorsWeights(file: try SafetensorsFile(path: path))])
        }
        guard torchExtensions.contains(ext) else {
            throw TorchImportError.notACheckpoint(path: path, reason: "unknown kind of file; import takes .pt, .pth, .ckpt, .bin "
                                                  + "(torch.save), .safetensors, or a transformers model folder")
        }
        let torch = try TorchWeights(checkpoint: TorchCheckpoint(path: path))
        return WeightSource(format: "torch", files: [path], configPath: nil, lightning: torch.checkpoint.lightning, parts: [torch])
    }

    private static func openFolder(_ folder: String) throws -> WeightSource {
        let manager = FileManager.default
        let config = folder + "/config.json"
        let configPath = manager.fileExists(atPath: config) ? config : nil
        func source(_ files: [String], _ make: (String) throws -> any WeightFile) throws -> WeightSource {
            WeightSource(format: "transformers-folder", files: files, configPath: configPath, lightning: nil,
                         parts: try files.map(make))
        }
        let safetensors: (String) throws -> any WeightFile = { SafetensorsWeights(file: try SafetensorsFile(path: $0)) }
        let torch: (String) throws -> any WeightFile = { try TorchWeights(checkpoint: TorchCheckpoint(path: $0)) }
        for (index, single, make) in [("model.safetensors.index.json", "model.safetensors", safetensors),
                                      ("pytorch_model.bin.index.json", "pytorch_model.bin", torch)] {
            if manager.fileExists(atPath: folder + "/" + index) {
                let files = try shardFiles(index: folder + "/" + index, folder: folder)
                let opened = try source(files, make)
                try checkShards(opened, index: folder + "/" + index)
                return opened
            }
            if manager.fileExists(atPath: folder + "/" + single) { return try source([folder + "/" + single], make) }
        }
        throw TorchImportError.notACheckpoint(path: folder, reason: "a folder without model.safetensors, "
                                              + "model.safetensors.index.json or pytorch_model.bin")
    }

    /// The shard files an index names, in first-mention order.
    private static func shardFiles(index: String, folder: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: index),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = object["weight_map"] as? [String: String], !map.isEmpty else {
            throw TorchImportError.unexpectedContent(path: index, key: "weight_map", reason: "missing or not an object of file names")
        }
        var seen: Set<String> = [], files: [String] = []
        for name in map.values.sorted() where !seen.contains(name) {
            guard !name.contains("/") else {
                throw TorchImportError.unexpectedContent(path: index, key: "weight_map", reason: "shard \(name) is outside the folder")
            }
            seen.insert(name)
            files.append(folder + "/" + name)
        }
        return files
    }

    /// Every tensor the index maps must be in the shards (a shard missing from the folder fails earlier).
    private static func checkShards(_ source: WeightSource, index: String) throws {
        guard let data = FileManager.default.contents(atPath: index),
              let map = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["weight_map"] as? [String: String] else { return }
        let present = Set(source.listing.map(\.name))
        let absent = map.keys.filter { !present.contains($0) }.sorted()
        guard absent.isEmpty else {
            throw TorchImportError.unexpectedContent(path: index, key: "weight_map",
                                                     reason: "names tensors no shard holds: \(absent.joined(separator: ", "))")
        }
    }

    /// The folder's `config.json`, read; `nil` when the source has none.
    ///
    /// - Throws: ``TorchImportError/unreadable(path:reason:)`` or ``TorchImportError/badConfiguration(path:reason:)``.
    public func transformersConfiguration() throws(TorchImportError) -> TransformersConfiguration? {
        guard let configPath else { return nil }
        return try TransformersConfiguration(contentsOf: configPath)
    }

    /// Every tensor of every file, in order.
    public var listing: [WeightListing] { parts.flatMap(\.listing) }

    /// Each file with its tensors, in order: for errors that name the file a tensor came from.
    public var fileListings: [(file: String, listing: [WeightListing])] {
        zip(files, parts).map { (file: $0, listing: $1.listing) }
    }

    /// Reads the named tensors from whichever files hold them, in source order.
    public func read(_ names: Set<String>) throws -> [(name: String, tensor: Tensor)] {
        try parts.flatMap { try $0.read(names) }
    }
}

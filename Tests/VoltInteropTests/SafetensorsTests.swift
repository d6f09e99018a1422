import Foundation
import VoltInterop
import VoltTensor
import XCTest

/// The safetensors writer and reader, and transformers folders, against files the Python libraries wrote.
final class SafetensorsTests: XCTestCase {
    typealias Fixtures = TorchImportFixtures

    func testWrittenFilesRoundTripWithAPaddedHeaderAndMetadata() throws {
        let tensors = [(name: "a.weight", tensor: Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, 1e-8, -7])),
                       (name: "b.bias", tensor: Tensor(shape: [1], scalars: [42]))]
        let path = Fixtures.temporaryPath("round.safetensors")
        try Safetensors.write(tensors, to: path, metadata: ["format": "pt", "by": "volt"])
        let length = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(length % 8, 0, "header padded to 8 bytes, as the reference writer pads it")
        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(file.entries.map(\.name), ["a.weight", "b.bias"])
        XCTAssertEqual(file.entries.map(\.dtype), ["F32", "F32"])
        XCTAssertEqual(file.metadata, ["format": "pt", "by": "volt"])
        let read = try Safetensors.read(from: path)
        XCTAssertEqual(read.map(\.name), ["a.weight", "b.bias"])
        XCTAssertEqual(read.map(\.tensor.shape), [[2, 3], [1]])
        XCTAssertEqual(read.map(\.tensor.scalars), tensors.map(\.tensor.scalars))
    }

    func testBrokenFilesAreErrorsNamingTheFile() throws {
        let truncated = Fixtures.temporaryPath("bad.safetensors")
        try Data([1, 0, 0]).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try Safetensors.read(from: truncated)) { error in
            guard case let .malformed(path, _)? = error as? SafetensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, truncated)
            XCTAssertTrue("\(error)".contains(truncated))
        }
        let short = Fixtures.temporaryPath("short.safetensors")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("bf16_module.safetensors")))
        try whole.prefix(whole.count - 2).write(to: URL(fileURLWithPath: short))
        XCTAssertThrowsError(try SafetensorsFile(path: short)) { error in
            guard case let .malformed(_, detail)? = error as? SafetensorsError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("past the end"), detail)
        }
        XCTAssertThrowsError(try SafetensorsFile(path: Fixtures.path("absent.safetensors"))) { error in
            XCTAssertEqual(error as? SafetensorsError, .unreadable(Fixtures.path("absent.safetensors")))
        }
    }

    func testBFloat16FileIsReadInItsStoredTypeAndRoundsTheFloat32Weights() throws {
        let file = try SafetensorsFile(path: Fixtures.path("bf16_module.safetensors"))
        XCTAssertEqual(Set(file.entries.map(\.dtype)), ["BF16"])
        XCTAssertTrue(file.entries.allSatisfy { $0.name.hasPrefix("module.") })
        let reference = try TorchCheckpoint(path: Fixtures.path("plain_state_dict.pth"))
        let float32 = Dictionary(uniqueKeysWithValues: try reference.readTensors(reference.stateDict()).map { ($0.name, $0.tensor) })
        for entry in file.entries {
            let name = String(entry.name.dropFirst("module.".count))
            let exact = try XCTUnwrap(float32[name] ?? float32[name == "lm_head.weight" ? "embed_out.weight" : name], name)
            let stored = try file.read(entry)
            XCTAssertEqual(stored.dtype, .bfloat16)
            XCTAssertEqual(stored.shape, exact.shape)
            for (value, reference) in zip(stored.scalars, exact.scalars) {
                XCTAssertLessThanOrEqual(abs(value - reference), abs(reference) / 256, "\(name): bfloat16 keeps 8 bits")
            }
        }
    }

    func testShardedFolderListsEveryShardAndItsConfiguration() throws {
        let folder = Fixtures.path("hf_sharded")
        let source = try WeightSource.open(folder)
        XCTAssertEqual(source.format, "transformers-folder")
        XCTAssertEqual(source.files.count, 2)
        XCTAssertEqual(source.configPath, folder + "/config.json")
        XCTAssertEqual(source.listing.count, 28)
        XCTAssertEqual(Set(source.listing.map(\.dtype)), ["float32"])
        XCTAssertEqual(try source.transformersConfiguration()?.modelType, "gpt_neox")

        let copy = Fixtures.temporaryPath("sharded")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"] {
            try FileManager.default.copyItem(atPath: folder + "/" + name, toPath: copy + "/" + name)
        }
        XCTAssertThrowsError(try WeightSource.open(copy), "a shard the index names is missing") { error in
            XCTAssertTrue("\(error)".contains("model-00002-of-00002.safetensors"), "\(error)")
        }
    }
}

import Foundation
import VoltInterop
import VoltTensor
import XCTest

/// `torch.save` files read without Python, against the files PyTorch wrote (TorchImportFixtures).
final class TorchCheckpointTests: XCTestCase {
    typealias Fixtures = TorchImportFixtures

    /// Every tensor of `path`, by the name it was saved under.
    func tensors(_ path: String) throws -> [String: Tensor] {
        let source = try WeightSource.open(path)
        return Dictionary(uniqueKeysWithValues: try source.read(Set(source.listing.map(\.name))).map { ($0.name, $0.tensor) })
    }

    func testLightningCheckpointListsItsStateDictAndKeepsFloat16BitsAndMetadata() throws {
        let checkpoint = try TorchCheckpoint(path: Fixtures.path("lightning.pt"))
        let stateDict = try checkpoint.stateDict()
        XCTAssertEqual(stateDict.count, 28 + 2 * 3, "28 weights and 3 constant buffers per layer")
        XCTAssertTrue(stateDict.allSatisfy { $0.name.hasPrefix("model.") })
        XCTAssertEqual(checkpoint.lightning?.epoch, 3)
        XCTAssertEqual(checkpoint.lightning?.globalStep, 1234)
        XCTAssertEqual(checkpoint.lightning?.lightningVersion, "1.6.5")

        let embedding = try XCTUnwrap(stateDict.first { $0.name == "model.gpt_neox.embed_in.weight" })
        let read = try XCTUnwrap(checkpoint.readTensors([embedding]).first?.tensor)
        XCTAssertEqual(read.dtype, .float16)
        XCTAssertEqual(read.shape, [69, 32])
        let contiguous = read.contiguous()
        let bits = Array(UnsafeBufferPointer(start: contiguous.rawPointer.assumingMemoryBound(to: UInt16.self), count: contiguous.count))
        XCTAssertEqual(bits, try Fixtures.expected().embed_in_float16_bits)
    }

    func testTransposedTorchTensorsEqualTheSameWeightsInSafetensorsShards() throws {
        // transformers 5 names the output layer lm_head.weight in the module and embed_out.weight in the saved folder.
        func outputNamed(_ tensors: [String: Tensor]) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: tensors.map { ($0.key == "lm_head.weight" ? "embed_out.weight" : $0.key, $0.value) })
        }
        let plain = outputNamed(try tensors(Fixtures.path("plain_state_dict.pth")))
        let sharded = outputNamed(try tensors(Fixtures.path("hf_sharded")))
        XCTAssertEqual(Set(plain.keys), Set(sharded.keys))
        XCTAssertEqual(plain.values.reduce(0) { $0 + $1.count }, try Fixtures.expected().parameter_count)
        for (name, tensor) in plain {
            XCTAssertEqual(tensor.dtype, .float32, name)
            XCTAssertEqual(tensor.shape, sharded[name]?.shape, name)
            XCTAssertEqual(tensor.scalars, sharded[name]?.scalars, "\(name): the two files hold the same float32 values")
        }
    }

    func testInt64AndBoolStoragesAndLightningExtrasAreRead() throws {
        let checkpoint = try TorchCheckpoint(path: Fixtures.path("lightning.pt"))
        guard case let .dict(top) = checkpoint.root, case let .dict(loops)? = top["loops"],
              case let .tensor(counts)? = loops["counts"], case let .tensor(flags)? = loops["flags"],
              case let .dict(hparams)? = top["hyper_parameters"] else { return XCTFail("unexpected layout") }
        XCTAssertEqual(try checkpoint.int64Values(counts, name: "counts"), try Fixtures.expected().counts)
        XCTAssertEqual(try checkpoint.boolValues(flags, name: "flags"), try Fixtures.expected().flags)
        XCTAssertEqual(hparams["checkpoint_dir"]?.stringValue, "/tmp/genslm/run1")
        XCTAssertEqual(checkpoint.lightning?.otherKeys.contains("optimizer_states"), true)
    }

    // MARK: Hostile and broken files

    func testMaliciousPicklesAreRefusedNamingTheGlobalAndNothingRuns() throws {
        for (file, global, marker) in [("evil_os_system.pt", "posix.system", "os_system"), ("evil_eval.pt", "builtins.eval", "eval"),
                                       ("evil_popen.pt", "subprocess.Popen", "popen")] {
            let created = "/tmp/volt-torch-import-pwned-" + marker
            try? FileManager.default.removeItem(atPath: created)
            let path = Fixtures.path(file)
            XCTAssertThrowsError(try TorchCheckpoint(path: path)) { error in
                XCTAssertEqual(error as? TorchImportError, .forbiddenGlobal(path: path, name: global))
                XCTAssertTrue("\(error)".contains(global), "\(error)")
            }
            XCTAssertThrowsError(try WeightSource.open(path)) { error in
                XCTAssertEqual(error as? TorchImportError, .forbiddenGlobal(path: path, name: global))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: created), "\(file): the payload ran")
        }
    }

    func testTruncatedZipIsAClearError() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("lightning.pt")))
        for keep in [data.count / 2, data.count - 30] {
            let path = Fixtures.temporaryPath("truncated.pt")
            try data.prefix(keep).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try WeightSource.open(path)) { error in
                guard case let .corruptArchive(p, _, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
                XCTAssertEqual(p, path)
                XCTAssertTrue(reason.contains("truncated"), reason)
            }
        }
    }

    func testDamagedStorageFailsItsChecksum() throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("plain_state_dict.pth")))
        let path = Fixtures.temporaryPath("damaged.pth")
        // Flip a byte in the middle of the largest storage record (the data region, past the pickle).
        data[data.count / 2] ^= 0xff
        try data.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try tensors(path)) { error in
            guard case let .corruptArchive(_, record, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
            XCTAssertTrue(record.contains("/data/"), record)
            XCTAssertTrue(reason.contains("CRC-32"), reason)
        }
    }

    func testLegacyFormatSaysHowToResave() throws {
        let path = Fixtures.path("legacy.pt")
        XCTAssertThrowsError(try WeightSource.open(path)) { error in
            XCTAssertEqual(error as? TorchImportError, .legacyFormat(path: path))
            XCTAssertTrue("\(error)".contains("_use_new_zipfile_serialization=True"))
        }
    }

    func testAFileOfAnotherKindIsRefusedByName() throws {
        let path = Fixtures.path("config.json")
        XCTAssertThrowsError(try TorchCheckpoint(path: path)) { error in
            guard case let .notACheckpoint(p, _)? = error as? TorchImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
        }
        XCTAssertThrowsError(try WeightSource.open(Fixtures.path("absent.pt"))) { error in
            guard case .unreadable? = error as? TorchImportError else { return XCTFail("\(error)") }
        }
    }
}

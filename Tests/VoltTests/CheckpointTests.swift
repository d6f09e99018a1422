import Foundation
import Volt
import VoltHDF5
import VoltNN
import VoltTensor
import VoltTestSupport
import XCTest

final class CheckpointTests: XCTestCase {
    static let qkv = "gpt_neox.layers.0.attention.query_key_value.weight"
    static let callbackKey = "ModelCheckpoint{monitor=val_loss,mode=min}"

    /// A checkpoint with every section filled; state-dict names deliberately out of alphabetical order.
    static func sample() -> Checkpoint {
        let metadata = CheckpointMetadata(epoch: 2, globalStep: 40, module: "GenSLMModule",
                                          hyperparameters: try! SavedHyperparameters(
                                              json: #"{"lr":1e-05,"preset":"genslm-tiny","accumulation_steps":4,"bf16":false}"#),
                                          precision: .fp16, worldSize: 2)
        let stateDict: [(name: String, tensor: Tensor)] = [
            (qkv, random([6, 2], seed: 1)),
            ("gpt_neox.embed_in.weight", random([3, 2], seed: 2)),
            ("gpt_neox.layers.0.mlp.dense_h_to_4h.bias", random([5], seed: 3).to(.float16)),
            ("gpt_neox.layers.0.input_layernorm.weight", random([2, 2], seed: 4).to(.bfloat16)),
            ("gpt_neox.rotary.scale", Tensor(Float(1234.5677))),
            ("gpt_neox.empty", Tensor(uninitializedShape: [0, 3])),
            ("embed_out.weight", random([2, 3], seed: 5).transposed()),  // a non-contiguous view
            ("token_ids", Tensor(shape: [3], indices: [7, -1, 2_000_000_000])),
        ]
        let adam = OptimizerState(type: "Adam", groups: [["lr": 1e-5, "beta1": 0.9, "beta2": 0.999], ["lr": 2e-5]],
                                  tensors: ["gpt_neox.embed_in.weight": ["exp_avg": random([3, 2], seed: 6),
                                                                         "exp_avg_sq": random([3, 2], seed: 7)],
                                            qkv: ["exp_avg": random([6, 2], seed: 8), "exp_avg_sq": random([6, 2], seed: 9)]],
                                  scalars: ["gpt_neox.embed_in.weight": ["step": 40], qkv: ["step": 39]])
        let sgd = OptimizerState(type: "SGD", groups: [["lr": 0.1, "momentum": 0.9]],
                                 tensors: ["embed_out.weight": ["momentum_buffer": random([3, 2], seed: 10)]], scalars: [:])
        return Checkpoint(
            metadata: metadata, stateDict: stateDict, optimizers: [adam, sgd],
            schedulers: [(type: "linear", state: ["last_epoch": 40]), (type: "plateau", state: ["best": .infinity])],
            lossScaler: ["loss_scale": 32768, "growth_tracker": 12],
            loops: ["epoch": 2, "batch_index": 7, "global_step": 40, "sampler_seed": 42, "sampler_epoch": 2],
            callbacks: [callbackKey: #"{"best_model_path":"a/b.h5","best_k_models":{"a/b.h5":0.25}}"#,
                        "EarlyStopping{monitor=val/loss}": #"{"wait_count":1}"#,
                        "Big": String(repeating: "x", count: 100_000)],
            rng: ["rank0/dropout": [42, 1000], "rank1/dropout": [42, 2000], "sampler": [7, UInt64.max]],
            gradients: [(name: "gpt_neox.embed_in.weight", tensor: random([3, 2], seed: 11))])
    }

    func testRoundTripKeepsEverySectionAndTheStateDictOrder() throws {
        let original = Self.sample(), file = try path()
        try original.write(to: file)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + ".tmp"))
        let read = try Checkpoint.read(from: file)

        XCTAssertEqual(read.stateDict.map(\.name), original.stateDict.map(\.name), "module order, not alphabetical")
        for (a, b) in zip(read.stateDict, original.stateDict) { assertIdentical(a.tensor, b.tensor, a.name) }
        XCTAssertEqual(read.metadata, original.metadata)
        XCTAssertEqual(read.optimizers.map(\.type), ["Adam", "SGD"])
        for (a, b) in zip(read.optimizers, original.optimizers) {
            XCTAssertEqual(a.groups, b.groups)
            XCTAssertEqual(a.scalars, b.scalars)
            XCTAssertEqual(a.tensors.mapValues { $0.keys.sorted() }, b.tensors.mapValues { $0.keys.sorted() })
            for (name, state) in b.tensors {
                for (key, tensor) in state {
                    guard let got = a.tensors[name]?[key] else { XCTFail("\(name).\(key) missing"); continue }
                    assertIdentical(got, tensor, "\(name).\(key)")
                }
            }
        }
        XCTAssertEqual(read.schedulers.map(\.type), ["linear", "plateau"])
        XCTAssertEqual(read.schedulers.map(\.state), original.schedulers.map(\.state))
        XCTAssertEqual(read.lossScaler, original.lossScaler)
        XCTAssertEqual(read.loops, original.loops)
        XCTAssertEqual(read.callbacks, original.callbacks)
        XCTAssertEqual(read.rng, original.rng)
        XCTAssertEqual(read.gradients.map(\.name), ["gpt_neox.embed_in.weight"])
        assertIdentical(try XCTUnwrap(read.gradients.first).tensor, try XCTUnwrap(original.gradients.first).tensor, "gradient")
    }

    func testWeightsOnlyReadLeavesTrainingStateEmpty() throws {
        let file = try path()
        try Self.sample().write(to: file)
        let weights = try Checkpoint.read(from: file, weightsOnly: true)
        XCTAssertEqual(weights.stateDict.count, 8)
        XCTAssertEqual(weights.metadata.globalStep, 40)
        XCTAssertTrue(weights.optimizers.isEmpty && weights.schedulers.isEmpty && weights.loops.isEmpty
                      && weights.rng.isEmpty && weights.callbacks.isEmpty && weights.gradients.isEmpty)
    }

    func testH5dumpListsTheTransformersNamesWithFletcher32() throws {
        guard FileManager.default.fileExists(atPath: "/usr/bin/h5dump") else { throw XCTSkip("h5dump (hdf5-tools) not installed") }
        let file = try path()
        try Self.sample().write(to: file)
        let listing = try run("/usr/bin/h5dump", ["-n", file]).split(separator: "\n")
        func lists(_ kind: String, _ object: String) -> Bool {
            listing.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(kind) && $0.hasSuffix(" " + object) }
        }
        XCTAssertTrue(lists("dataset", "/state_dict/\(Self.qkv)"), "\(listing)")
        XCTAssertTrue(lists("group", "/callbacks/\(Self.callbackKey)"), "\(listing)")
        XCTAssertTrue(lists("group", "/callbacks/EarlyStopping{monitor=val%2Floss}"), "\(listing)")
        XCTAssertTrue(lists("dataset", "/rng/rank0/dropout"), "\(listing)")
        let header = try run("/usr/bin/h5dump", ["-p", "-H", "-d", "/state_dict/\(Self.qkv)", file])
        XCTAssertTrue(header.contains("CHECKSUM FLETCHER32"), header)
        XCTAssertTrue(header.contains("H5T_IEEE_F32LE") && header.contains("( 6, 2 )"), header)
    }

    func testInspectDescribesTheTreeWithoutReadingData() throws {
        let file = try path()
        try Self.sample().write(to: file)
        let summary = try Checkpoint.inspect(file)
        XCTAssertEqual(summary.attributes["format"], .string("volt-checkpoint"))
        XCTAssertEqual(summary.attributes["format_version"], .int(1))
        XCTAssertEqual(summary.root.groups.map(\.name),
                       ["state_dict", "optimizers", "lr_schedulers", "precision", "loops", "callbacks", "rng", "gradients"])
        XCTAssertEqual(summary.dataset(at: "/state_dict/\(Self.qkv)")?.shape, [6, 2])
        XCTAssertEqual(summary.dataset(at: "/state_dict/gpt_neox.layers.0.mlp.dense_h_to_4h.bias")?.dtype, "float16")
        XCTAssertEqual(summary.dataset(at: "/state_dict/gpt_neox.layers.0.input_layernorm.weight")?.dtype, "bfloat16")
        XCTAssertEqual(summary.dataset(at: "/state_dict/gpt_neox.rotary.scale")?.shape, [])
        XCTAssertEqual(summary.dataset(at: "/rng/rank1/dropout")?.dtype, "uint64")
        XCTAssertEqual(summary.group(at: "/optimizers/0/state/gpt_neox.embed_in.weight")?.attributes["step"], .double(40))
        let text = summary.description
        XCTAssertTrue(text.contains("@format = \"volt-checkpoint\""), text)
        XCTAssertTrue(text.contains("    \(Self.qkv)  float32 [6, 2]"), text)
        let decoded = try JSONDecoder().decode(CheckpointSummary.self, from: try JSONEncoder().encode(summary))
        XCTAssertEqual(decoded.dataset(at: "/state_dict/\(Self.qkv)"), summary.dataset(at: "/state_dict/\(Self.qkv)"))
        XCTAssertEqual(decoded.attributes["hparams"], summary.attributes["hparams"])
    }

    func testTruncatedFileIsReportedAsTruncated() throws {
        let file = try path()
        try Self.sample().write(to: file)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        XCTAssertThrowsError(try Checkpoint.read(from: file)) { error in
            XCTAssertEqual(error as? CheckpointError, .notHDF5(path: file))
            XCTAssertEqual("\(error)", "\(file): truncated or not an HDF5 file")
        }
        XCTAssertThrowsError(try Checkpoint.inspect(file)) { XCTAssertEqual($0 as? CheckpointError, .notHDF5(path: file)) }
        let text = try path("text.h5")
        try "not hdf5".write(toFile: text, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try Checkpoint.read(from: text)) { XCTAssertEqual($0 as? CheckpointError, .notHDF5(path: text)) }
    }

    func testFlippedDataByteIsAChecksumMismatch() throws {
        let file = try path()
        try Self.sample().write(to: file)
        let chunk = try XCTUnwrap(try HDF5File(opening: file).root().group("state_dict").dataset(Self.qkv).chunkLocations().first)
        try flipByte(in: file, at: chunk.offset + 5)
        XCTAssertThrowsError(try Checkpoint.read(from: file)) { error in
            XCTAssertEqual(error as? CheckpointError, .checksumMismatch(path: file, object: "/state_dict/\(Self.qkv)"))
            XCTAssertTrue("\(error)".hasPrefix("checksum mismatch in \(file):/state_dict/\(Self.qkv)"), "\(error)")
        }
        XCTAssertEqual(try Checkpoint.inspect(file).dataset(at: "/state_dict/\(Self.qkv)")?.shape, [6, 2], "the tree still lists")
    }

    func testFlippedScalarByteIsCaughtByTheHeaderChecksum() throws {
        let file = try path()
        try Self.sample().write(to: file)
        var value = Float(1234.5677)
        let needle = withUnsafeBytes(of: &value) { Data($0) }
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let range = try XCTUnwrap(data.range(of: needle), "scalar bytes not found")
        XCTAssertNil(data[range.upperBound...].range(of: needle), "the pattern is unique")
        try flipByte(in: file, at: UInt64(range.lowerBound))
        XCTAssertThrowsError(try Checkpoint.read(from: file)) {
            XCTAssertEqual($0 as? CheckpointError, .checksumMismatch(path: file, object: "/state_dict/gpt_neox.rotary.scale"))
        }
    }

    func testOtherFormatVersionIsRejected() throws {
        var checkpoint = Self.sample()
        checkpoint.metadata.formatVersion = 2
        let file = try path()
        try checkpoint.write(to: file)
        XCTAssertThrowsError(try Checkpoint.read(from: file, weightsOnly: true)) { error in
            XCTAssertEqual(error as? CheckpointError, .unsupportedVersion(path: file, version: 2))
            XCTAssertTrue("\(error)".contains("format version 2 is not supported (this Volt reads 1)"), "\(error)")
        }
    }

    func testForeignHDF5FileIsNotAVoltCheckpoint() throws {
        let file = try path()
        do {
            let foreign = try HDF5File(creating: file)
            _ = try foreign.root().createDataset("x", tensor: Tensor(shape: [2], scalars: [1, 2]))
            try foreign.close()
        }
        XCTAssertThrowsError(try Checkpoint.read(from: file)) { XCTAssertEqual($0 as? CheckpointError, .notAVoltCheckpoint(path: file)) }
        XCTAssertEqual(try Checkpoint.inspect(file).root.datasets.map(\.name), ["x"])
    }

    func testUnknownPrecisionNameIsMalformed() throws {
        let file = try path()
        do {
            let written = try HDF5File(creating: file)
            let root = try written.root()
            let attributes: [(String, HDF5AttributeValue)] = [
                ("format", .string(CheckpointMetadata.format)), ("format_version", .int(1)), ("volt_version", .string("0.1.0")),
                ("created_utc", .string("2026-12-01T00:00:00Z")), ("epoch", .int(0)), ("global_step", .int(0)),
                ("module", .string("M")), ("hparams", .string("{}")), ("precision", .string("fp8")), ("world_size", .int(1)),
            ]
            for (name, value) in attributes { try root.setAttribute(name, value) }
            _ = try root.createGroup("state_dict")
            try written.close()
        }
        XCTAssertThrowsError(try Checkpoint.read(from: file, weightsOnly: true)) {
            XCTAssertEqual($0 as? CheckpointError,
                           .malformed(path: file, object: "/", reason: "precision \"fp8\" is not fp32, fp16 or bf16"))
        }
        var checkpoint = Self.sample()
        checkpoint.metadata.precision = .bf16
        try checkpoint.write(to: file)
        XCTAssertEqual(try Checkpoint.inspect(file).attributes["precision"]?.stringValue, "bf16",
                       "the file keeps the precision's name")
        XCTAssertEqual(try Checkpoint.read(from: file, weightsOnly: true).metadata.precision, .bf16)
    }

    func testMissingFileErrorNamesThePath() throws {
        let file = try path("missing.h5")
        XCTAssertThrowsError(try Checkpoint.read(from: file)) { error in
            XCTAssertEqual(error as? CheckpointError, .notFound(path: file))
            XCTAssertTrue("\(error)".contains(file))
        }
    }

    func testFailedWriteKeepsTheExistingFileAndLeavesNoTemporary() throws {
        let file = try path()
        try Self.sample().write(to: file)
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        var broken = Self.sample()
        broken.stateDict.append((name: "gpt_neox.embed_in.weight", tensor: random([1], seed: 9)))  // HDF5 refuses a second link
        XCTAssertThrowsError(try broken.write(to: file)) { error in
            guard case let .cannotWrite(p, object, _)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, file)
            XCTAssertEqual(object, "/state_dict/gpt_neox.embed_in.weight")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + ".tmp"))

        let nowhere = try path("no-such-dir/c.h5")
        XCTAssertThrowsError(try Self.sample().write(to: nowhere)) { error in
            guard case .cannotWrite(nowhere, "/", _)? = error as? CheckpointError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: nowhere + ".tmp"))
    }

    func testStaleTemporaryFromACrashIsReplaced() throws {
        let file = try path()
        try "half-written".write(toFile: file + ".tmp", atomically: false, encoding: .utf8)
        try Self.sample().write(to: file)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + ".tmp"))
        XCTAssertEqual(try Checkpoint.read(from: file).stateDict.count, 8)
    }

    func testLargeTensorIsSplitIntoChecksummedChunks() throws {
        let big = random([2100, 2100], seed: 12)
        let file = try path()
        try Checkpoint(metadata: CheckpointMetadata(), stateDict: [(name: "w", tensor: big)]).write(to: file)
        XCTAssertEqual(try HDF5File(opening: file).root().group("state_dict").dataset("w").chunkLocations().count, 2)
        assertIdentical(try XCTUnwrap(try Checkpoint.read(from: file).stateDict.first).tensor, big, "w")
    }

    func testModuleLoadRejectsWeightsThatDoNotFitAndLoadsNothing() throws {
        final class Net: Module { let w = Tensor.zeros([2, 2], requiresGrad: true) }
        let file = try path()
        try Checkpoint(metadata: CheckpointMetadata(), stateDict: [(name: "w", tensor: Tensor.zeros([3, 2]))]).write(to: file)
        let net = Net()
        XCTAssertThrowsError(try net.load(stateDict: try Checkpoint.read(from: file).stateDictionary))
        XCTAssertEqual(net.w.scalars, [0, 0, 0, 0])
    }

    func testH5pyReadsTheCheckpoint() throws {
        let script = H5pyPython.script("verify_checkpoint_h5py.py")
        guard FileManager.default.fileExists(atPath: script), let python = H5pyPython.interpreter else {
            throw XCTSkip("python3 with h5py, or scripts/verify_checkpoint_h5py.py, not available")
        }
        let file = try path()
        try Self.sample().write(to: file)
        let output = try H5pyPython.run(python, [script, file])
        let keys = output.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(" shape=") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertEqual(keys, Self.sample().stateDict.map(\.name), output)
        XCTAssertTrue(output.contains("\(Self.qkv) shape=(6, 2) dtype=float32"), output)
        XCTAssertTrue(output.contains("gpt_neox.layers.0.input_layernorm.weight shape=(2, 2) dtype=bfloat16"), output)
        XCTAssertTrue(output.contains("format_version: 1"), output)
    }

    // MARK: Helpers

    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return Tensor.uniform(shape, low: -1, high: 1, generator: &g)
    }

    func random(_ shape: [Int], seed: UInt64) -> Tensor { Self.random(shape, seed: seed) }

    /// A fresh path in a fresh temporary directory.
    func path(_ name: String = "c.h5") throws -> String {
        let dir = NSTemporaryDirectory() + "volt-ckpt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir + "/" + name
    }

    /// Same shape, dtype and bytes.
    func assertIdentical(_ a: Tensor, _ b: Tensor, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, name, file: file, line: line)
        XCTAssertEqual(a.dtype, b.dtype, name, file: file, line: line)
        let bytes = { (t: Tensor) in Data(bytes: t.contiguous().rawPointer, count: t.count * t.dtype.byteSize) }
        XCTAssertEqual(bytes(a), bytes(b), name, file: file, line: line)
    }

    func flipByte(in file: String, at offset: UInt64) throws {
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: file))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let byte = try XCTUnwrap(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
    }

    /// Runs a program and returns its standard output; throws when it fails.
    @discardableResult
    func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self)
    }
}

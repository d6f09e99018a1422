import Foundation
import XCTest
import Volt
import VoltNN
import VoltTensor

final class CheckpointTests: XCTestCase {
    func sample() -> Checkpoint {
        var c = Checkpoint(metadata: CheckpointMetadata(epoch: 2, globalStep: 40, module: "GenSLMModule",
                                                        hyperparameters: ["lr": .double(1e-5), "preset": .string("genslm-tiny")],
                                                        precision: "fp16", worldSize: 2),
                           stateDict: [("gpt_neox.layers.0.attention.query_key_value.weight", random([6, 2], seed: 1)),
                                       ("gpt_neox.embed_in.weight", random([3, 2], seed: 2)),
                                       ("half", random([4], seed: 3).to(.float16)), ("brain", random([2, 2], seed: 4).to(.bfloat16))])
        c.optimizers = [OptimizerState(type: "Adam", groups: [["lr": 1e-5, "beta1": 0.9]],
                                       tensors: ["gpt_neox.embed_in.weight": ["exp_avg": random([3, 2], seed: 5), "exp_avg_sq": random([3, 2], seed: 6)]],
                                       scalars: ["gpt_neox.embed_in.weight": ["step": 40]]),
                        OptimizerState(type: "SGD", groups: [["lr": 0.1]], tensors: [:], scalars: [:])]
        c.schedulers = [("linear", ["last_epoch": 40])]
        c.precision = ["loss_scale": 32768, "growth_tracker": 12]
        c.loops = ["epoch": 2, "batch_index": 7, "global_step": 40]
        c.callbacks = ["ModelCheckpoint{monitor=val_loss,mode=min}": #"{"best_model_path":"a/b.h5"}"#]
        c.rng = ["rank0/model._stream": [42, 1000], "rank1/model._stream": [42, 2000]]
        c.gradients = [("gpt_neox.embed_in.weight", random([3, 2], seed: 7))]
        return c
    }

    func path(_ name: String = "c.h5") -> String {
        let dir = NSTemporaryDirectory() + "volt-ckpt-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    func testRoundTripKeepsEverySection() throws {
        let original = sample(), file = path()
        try original.write(to: file)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + ".tmp"))
        let read = try Checkpoint.read(from: file)
        XCTAssertEqual(read.stateDict.map(\.name), original.stateDict.map(\.name), "order kept")
        for (a, b) in zip(read.stateDict, original.stateDict) {
            XCTAssertEqual(a.tensor.dtype, b.tensor.dtype)
            XCTAssertEqual(a.tensor.scalars, b.tensor.scalars)
        }
        XCTAssertEqual(read.metadata.hyperparameters, original.metadata.hyperparameters)
        XCTAssertEqual(read.metadata.globalStep, 40)
        XCTAssertEqual(read.metadata.worldSize, 2)
        XCTAssertEqual(read.optimizers.map(\.type), ["Adam", "SGD"])
        XCTAssertEqual(read.optimizers[0].tensors["gpt_neox.embed_in.weight"]?["exp_avg_sq"]?.scalars,
                       original.optimizers[0].tensors["gpt_neox.embed_in.weight"]?["exp_avg_sq"]?.scalars)
        XCTAssertEqual(read.optimizers[0].scalars["gpt_neox.embed_in.weight"]?["step"], 40)
        XCTAssertEqual(read.optimizers[0].groups, original.optimizers[0].groups)
        XCTAssertEqual(read.schedulers.first?.state, ["last_epoch": 40])
        XCTAssertEqual(read.precision, original.precision)
        XCTAssertEqual(read.loops, original.loops)
        XCTAssertEqual(read.callbacks, original.callbacks)
        XCTAssertEqual(read.rng, original.rng)
        XCTAssertEqual(read.gradients.first?.tensor.scalars, original.gradients.first?.tensor.scalars)
        let weights = try Checkpoint.read(from: file, weightsOnly: true)
        XCTAssertTrue(weights.optimizers.isEmpty)
    }

    func testH5dumpListsTheTransformersNames() throws {
        guard FileManager.default.fileExists(atPath: "/usr/bin/h5dump") else { throw XCTSkip("h5dump (hdf5-tools) not installed") }
        let file = path()
        try sample().write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/h5dump")
        process.arguments = ["-n", file]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let listing = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(listing.contains("/state_dict/gpt_neox.layers.0.attention.query_key_value.weight"), listing)
        let tree = try Checkpoint.inspect(file)
        XCTAssertTrue(tree.nodes.contains { $0.path == "/state_dict/gpt_neox.embed_in.weight" && $0.shape == [3, 2] })
        XCTAssertTrue(tree.description.contains("format=volt-checkpoint"))
    }

    func testTruncatedCorruptAndForeignFilesAreRejected() throws {
        let file = path()
        try sample().write(to: file)
        let data = try Data(contentsOf: URL(fileURLWithPath: file))

        let truncated = path("truncated.h5")
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try Checkpoint.read(from: truncated)) {
            guard case CheckpointError.unreadable(let p, _)? = $0 as? CheckpointError else { return XCTFail("\($0)") }
            XCTAssertEqual(p, truncated)
        }

        // Flip bytes inside the first weight's data: the Fletcher32 checksum catches it.
        let weight = sample().stateDict[0].tensor
        let needle = Data(bytes: weight.rawPointer, count: 8)
        guard let range = data.range(of: needle) else { return XCTFail("weight bytes not found in the file") }
        var damaged = data
        damaged[range.lowerBound] ^= 0xFF
        let corrupt = path("corrupt.h5")
        try damaged.write(to: URL(fileURLWithPath: corrupt))
        XCTAssertThrowsError(try Checkpoint.read(from: corrupt)) {
            XCTAssertEqual($0 as? CheckpointError,
                           .corrupt(path: corrupt, object: "/state_dict/gpt_neox.layers.0.attention.query_key_value.weight"))
        }

        let text = path("text.h5")
        try "not hdf5".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Checkpoint.read(from: text))
        XCTAssertThrowsError(try Checkpoint.read(from: path("missing.h5"))) {
            guard case CheckpointError.notFound? = $0 as? CheckpointError else { return XCTFail("\($0)") }
        }
    }

    func testFailedWriteLeavesTheExistingFileAndNoTemporary() throws {
        let file = path()
        try sample().write(to: file)
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        var broken = sample()
        broken.stateDict.append(("gpt_neox.embed_in.weight", random([1], seed: 9)))  // duplicate name: HDF5 refuses
        XCTAssertThrowsError(try broken.write(to: file))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + ".tmp"))
        XCTAssertThrowsError(try sample().write(to: "/nonexistent-dir/c.h5"))
    }

    func testModuleLoadRejectsWeightsThatDoNotFit() throws {
        final class Net: Module { let w = Tensor.zeros([2, 2], requiresGrad: true) }
        var c = sample()
        c.stateDict = [("w", Tensor.zeros([3, 2]))]
        let file = path()
        try c.write(to: file)
        let net = Net()
        XCTAssertThrowsError(try net.load(stateDict: try Checkpoint.read(from: file).stateDictionary))
        XCTAssertEqual(net.w.scalars, [0, 0, 0, 0])
    }
}

func random(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: -1, high: 1, generator: &g)
}

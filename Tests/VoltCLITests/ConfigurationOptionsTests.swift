import ArgumentParser
import Foundation
import Volt
import VoltCLI
import XCTest

/// `--config` layering, typed overrides and `--print-config`, through the command line `VoltCLI.Root` gives the
/// tests' own module.
final class ConfigurationOptionsTests: XCTestCase {
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "volt-cli-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testRootHasTheFourSubcommands() {
        let names = VoltCLI.Root<LineConfiguration>.configuration.subcommands.map { $0._commandName }
        XCTAssertEqual(names, ["fit", "validate", "test", "predict"])
    }

    func testLaterFilesWinKeyByKeyAndOverridesWinOverFiles() throws {
        let base = try file("module: {lr: 0.5, seed: 3}\ndata: {points: 32, tags: [a, b]}\ntrainer: {max_epochs: 4}\n")
        let layer = try file("module: {lr: 0.25}\ndata: {tags: [c]}\n")
        let options = try ConfigurationOptions.parse(["--config", base, "--config", layer,
                                                      "--trainer.max_epochs", "2", "--data.batch_size=8"])
        XCTAssertEqual(options.config, [base, layer])
        XCTAssertFalse(options.printConfig)
        let c = try options.load(LineConfiguration.self)
        XCTAssertEqual(c.module, LineFit.Hyperparameters(lr: 0.25, seed: 3, width: 1), "mappings merge key by key")
        XCTAssertEqual(c.data.tags, ["c"], "a list replaces the earlier one")
        XCTAssertEqual(c.data.points, 32)
        XCTAssertEqual(c.data.batchSize, 8)
        XCTAssertEqual(c.trainer.maxEpochs, 2)
    }

    func testNoFileGivesTheDefaults() throws {
        let c = try ConfigurationOptions.parse([]).load(LineConfiguration.self)
        XCTAssertEqual(c.module, LineFit.Hyperparameters())
        XCTAssertEqual(c.data, LinePoints.Configuration())
        XCTAssertEqual(c.trainer.maxEpochs, TrainerConfiguration().maxEpochs)
    }

    func testASubcommandParsesTheSameOptions() throws {
        let path = try file("module: {lr: 0.5}\n")
        let command = try VoltCLI.Root<LineConfiguration>.parseAsRoot(["validate", "--config", path, "--module.seed", "9"])
        XCTAssertTrue(command is VoltCLI.Validate<LineConfiguration>, "\(type(of: command))")
        let fit = try VoltCLI.Root<LineConfiguration>.parseAsRoot(["fit", "--config", path, "--module.width", "3", "--json"])
        XCTAssertTrue(fit is VoltCLI.Fit<LineConfiguration>, "\(type(of: fit))")
    }

    func testBadOverridesAndKeysAreErrorsNamingWhereTheyCameFrom() throws {
        XCTAssertThrowsError(try ConfigurationOptions.parse(["--module.lrr", "1"]).load(LineConfiguration.self)) {
            guard case let .unknownKey(file, key, allowed)? = $0 as? ConfigurationError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, "command-line override --module.lrr")
            XCTAssertEqual(key, "module.lrr")
            XCTAssertEqual(allowed.sorted(), ["lr", "seed", "width"])
        }
        XCTAssertThrowsError(try ConfigurationOptions.parse(["--module.lr"]).load(LineConfiguration.self)) {
            XCTAssertEqual($0 as? ConfigurationError, .invalidValue(file: "command line", key: "module.lr", reason: "missing value"))
        }
        let path = try file("module:\n  lr: fast\n")
        XCTAssertThrowsError(try ConfigurationOptions.parse(["--config", path]).load(LineConfiguration.self)) {
            guard case let .invalidValue(file, key, _)? = $0 as? ConfigurationError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, "\(path):2")
            XCTAssertEqual(key, "module.lr")
        }
        let renamed = try file("data:\n  batch_size: 2\n  count: 8\n")
        XCTAssertThrowsError(try ConfigurationOptions.parse(["--config", renamed]).load(LineConfiguration.self)) {
            XCTAssertEqual($0 as? ConfigurationError, .renamedKey(file: "\(renamed):3", key: "data.count", newKey: "data.points"))
        }
    }

    func testPrintConfigPrintsEveryKeyAsYAMLThatLoadsBackToTheSameConfiguration() throws {
        let path = try file("module: {lr: 0.125}\ndata: {tags: [x]}\n")
        let yaml = try standardOutput {
            var command = try VoltCLI.Root<LineConfiguration>.parseAsRoot(
                ["fit", "--config", path, "--print-config", "--trainer.max_epochs", "7"])
            XCTAssertThrowsError(try command.run()) { XCTAssertTrue($0 is CleanExit, "\($0)") }
        }
        for key in ["trainer:", "max_epochs: 7", "module:", "lr: 0.125", "seed: 0", "width: 1", "data:", "points: 16",
                    "batch_size: 4"] {
            XCTAssertTrue(yaml.contains(key), "\(key) in\n\(yaml)")
        }
        let printed = try file(yaml)
        let reloaded = try ConfigurationOptions.parse(["--config", printed]).load(LineConfiguration.self)
        let original = try ConfigurationOptions.parse(["--config", path, "--trainer.max_epochs", "7"]).load(LineConfiguration.self)
        XCTAssertEqual(reloaded.module, original.module)
        XCTAssertEqual(reloaded.data, original.data)
        XCTAssertEqual(reloaded.trainer.maxEpochs, 7)
        XCTAssertEqual(try ConfigurationEncoder.node(reloaded.trainer), try ConfigurationEncoder.node(original.trainer))
    }

    /// What `body` writes on standard output.
    func standardOutput(_ body: () throws -> Void) throws -> String {
        let path = NSTemporaryDirectory() + "volt-cli-stdout-\(UUID().uuidString).txt"
        fflush(nil)
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let saved = dup(STDOUT_FILENO)
        dup2(file, STDOUT_FILENO)
        close(file)
        do {
            defer {
                fflush(nil)
                dup2(saved, STDOUT_FILENO)
                close(saved)
            }
            try body()
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}

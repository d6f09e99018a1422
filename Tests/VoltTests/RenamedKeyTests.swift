import Foundation
import XCTest
import Volt

/// A key a configuration section renamed is reported with its new key, its file and its line.
final class RenamedKeyTests: XCTestCase {
    struct Root: ConfigurationSection, Equatable {
        var data = DataSection()
        init() {}
    }

    struct DataSection: ConfigurationSection, Equatable {
        var path = "a.fasta"
        var batchSize = 1
        init() {}
        static var renamedKeys: [String: String] { ["fasta": "path", "batch": "batch_size"] }
    }

    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "volt-renamed-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testARenamedKeyNamesItsNewKeyWithFileAndLine() throws {
        let path = try file("data:\n  batch_size: 2\n  fasta: b.fasta\n")
        XCTAssertThrowsError(try ConfigurationLoader.load(Root.self, paths: [path])) {
            XCTAssertEqual($0 as? ConfigurationError, .renamedKey(file: "\(path):3", key: "data.fasta", newKey: "data.path"))
            XCTAssertEqual("\($0)", "\(path):3: unknown key \"data.fasta\": it was renamed to \"data.path\"")
        }
    }

    func testARenamedKeyInAnOverrideNamesTheOverride() throws {
        XCTAssertThrowsError(try ConfigurationLoader.load(Root.self, paths: [], overrides: [("data.batch", "4")])) {
            XCTAssertEqual($0 as? ConfigurationError,
                           .renamedKey(file: "command-line override --data.batch", key: "data.batch", newKey: "data.batch_size"))
        }
    }

    func testOtherUnknownKeysStillListTheAllowedOnes() throws {
        let path = try file("data:\n  fastq: b.fastq\n")
        XCTAssertThrowsError(try ConfigurationLoader.load(Root.self, paths: [path])) {
            guard case let .unknownKey(file, key, allowed)? = $0 as? ConfigurationError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, "\(path):2")
            XCTAssertEqual(key, "data.fastq")
            XCTAssertEqual(allowed.sorted(), ["batch_size", "path"])
        }
        XCTAssertEqual(try ConfigurationLoader.load(Root.self, paths: [try file("data:\n  path: c.fasta\n")]).value.data.path, "c.fasta")
    }
}

import Foundation
import VoltInterop
import XCTest
import VoltSearch

/// Fixture paths and temporary study databases.
enum TuneFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The parsed JSON fixture `name`.
    static func json(_ name: String) throws -> JSONValue {
        try JSONValue.parse(String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
    }

    /// A fresh folder under the temporary directory.
    static func temporaryDirectory(_ tag: String) throws -> String {
        let path = NSTemporaryDirectory() + "volt-tune-\(tag)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A writable copy of the Optuna-written study.
    static func optunaStudyCopy() throws -> String {
        let path = try temporaryDirectory("optuna") + "/study.db"
        try FileManager.default.copyItem(atPath: directory.appendingPathComponent("optuna_study.db").path, toPath: path)
        return path
    }
}

extension JSONValue {
    /// Array elements.
    var items: [JSONValue] {
        if case let .array(v) = self { return v }
        return []
    }

    /// Object members.
    var members: [(String, JSONValue)] {
        if case let .object(v) = self { return v }
        return []
    }
}

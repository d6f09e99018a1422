import Foundation

/// Receives metrics and hyper-parameters during training (Lightning's `Logger`).
///
/// Loggers write under `<root>/<name>/version_<n>`; the version is the next free one unless given.
public protocol Logger: AnyObject {
    /// Experiment name (folder under the root).
    var name: String { get }
    /// Version number of this run.
    var version: Int { get }
    /// `<root>/<name>/version_<version>`.
    var logDirectory: String { get }
    /// Records metrics at a step.
    func logMetrics(_ metrics: [String: Double], step: Int) throws
    /// Records the hyper-parameters.
    func logHyperparameters(_ hparams: [String: HParam]) throws
    /// Flushes to disk.
    func save() throws
    /// Flushes and closes at the end of training.
    func finalize(status: String) throws
}

/// Errors of writing logs.
public enum LoggerError: Error, Equatable, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    public var description: String {
        switch self { case let .cannotWrite(path, reason): "\(path): cannot write logs: \(reason)" }
    }
}

/// The version directory of a new run: `version` or the next free `version_N` under `root/name`.
func makeVersionDirectory(root: String, name: String, version: Int?) throws -> (Int, String) {
    let base = name.isEmpty ? root : root + "/" + name
    let fm = FileManager.default
    let existing = ((try? fm.contentsOfDirectory(atPath: base)) ?? []).compactMap { entry -> Int? in
        entry.hasPrefix("version_") ? Int(entry.dropFirst("version_".count)) : nil
    }
    let chosen = version ?? ((existing.max() ?? -1) + 1)
    let directory = base + "/version_\(chosen)"
    do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
        throw LoggerError.cannotWrite(path: directory, reason: error.localizedDescription)
    }
    return (chosen, directory)
}

/// `hparams.yaml`: one `key: value` line per hyper-parameter, sorted (the file Lightning's loggers write).
func writeHyperparameters(_ hparams: [String: HParam], to path: String) throws {
    let lines = hparams.sorted { $0.key < $1.key }.map { key, value -> String in
        switch value {
        case let .string(s):
            let plain = !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
                && Double(s) == nil && !["true", "false", "null", "yes", "no"].contains(s.lowercased())
            return "\(key): " + (plain ? s : "'" + s.replacingOccurrences(of: "'", with: "''") + "'")
        default:
            return "\(key): \(value)"
        }
    }
    do { try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw LoggerError.cannotWrite(path: path, reason: error.localizedDescription)
    }
}

import Foundation

/// Receives a run's metrics and hyper-parameters — Lightning's `Logger`.
///
/// The ``Trainer`` calls its loggers on rank 0 only: ``logHyperparameters(_:)`` when fitting starts,
/// ``logMetrics(_:step:)`` every `logEveryNSteps` training batches and at the ends of epochs, ``save()`` at the end
/// of each epoch and ``finalize(status:)`` when fitting ends. Each run writes into its own ``logDirectory``,
/// `<root>/<name>/version_<version>`.
public protocol Logger: AnyObject {
    /// The experiment name: the folder under the root that holds the `version_N` folders (empty: the root itself).
    var name: String { get }
    /// This run's version, the `N` of `version_N`.
    var version: Int { get }
    /// This run's directory, `<root>/<name>/version_<version>` (`<root>/version_<version>` when ``name`` is empty).
    var logDirectory: String { get }
    /// Records `metrics` as measured at `step` (the trainer passes `global_step`).
    func logMetrics(_ metrics: [String: Double], step: Int) throws
    /// Records the run's hyper-parameters (merged with those recorded before).
    func logHyperparameters(_ hparams: [String: HParam]) throws
    /// Writes everything recorded so far to disk.
    func save() throws
    /// Writes everything and closes the run's files; `status` is Lightning's: "success", "failed" or "finished".
    func finalize(status: String) throws
}

/// Lightning's numbering of run directories: `version_0`, `version_1`, … under `<root>/<name>/`.
public enum LogVersion {
    /// The next free version under `directory`: one more than the largest `N` of a `version_N` sub-directory,
    /// or 0 when there is none or `directory` does not exist.
    ///
    /// As in Lightning, `N` is the text between the first and the second `_` of the folder's name, so `version_3_old`
    /// counts as 3; plain files and folders like `version_x` are ignored.
    public static func next(in directory: String) -> Int {
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: directory) else { return 0 }
        var largest = -1
        for entry in entries where entry.hasPrefix("version_") {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory), isDirectory.boolValue
            else { continue }
            let number = entry.split(separator: "_", omittingEmptySubsequences: false)[1]
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(number) else { continue }
            largest = max(largest, n)
        }
        return largest + 1
    }

    /// The folder that holds the versions: `<root>/<name>`, or `root` itself when `name` is empty.
    public static func versionsDirectory(root: String, name: String) -> String {
        name.isEmpty ? root : root + "/" + name
    }

    /// A run's directory, `<root>/<name>/version_<version>`.
    public static func directory(root: String, name: String, version: Int) -> String {
        versionsDirectory(root: root, name: name) + "/version_\(version)"
    }

    /// `version`, or the next free version under `<root>/<name>` when it is nil.
    static func resolve(_ version: Int?, root: String, name: String) throws(LoggerError) -> Int {
        guard let version else { return next(in: versionsDirectory(root: root, name: name)) }
        guard version >= 0 else { throw .invalidArgument("version must be ≥ 0, got \(version)") }
        return version
    }
}

extension Dictionary where Key == String, Value == Double {
    /// The metrics with Lightning's `prefix-` in front of every key (unchanged when `prefix` is empty).
    func prefixed(_ prefix: String) -> [String: Double] {
        guard !prefix.isEmpty else { return self }
        return Dictionary(uniqueKeysWithValues: map { (prefix + "-" + $0.key, $0.value) })
    }
}

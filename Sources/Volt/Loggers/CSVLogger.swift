import Foundation

/// Metrics in `metrics.csv`, as Lightning's `CSVLogger`: one row per logged step (metrics of the same step
/// merged), a `step` column, columns the sorted union of every key seen (the file is rewritten with the new
/// header when a key appears), empty cells for missing values; `hparams.yaml` beside it.
public final class CSVLogger: Logger {
    public let name: String
    public let version: Int
    public let logDirectory: String
    /// Rows buffered between writes.
    public let flushLogsEveryNSteps: Int

    private var rows: [[String: Double]] = []
    private var columns: [String] = []
    private var written = 0

    /// A logger under `rootDirectory/name/version_N`.
    public init(rootDirectory: String, name: String = "", version: Int? = nil, flushLogsEveryNSteps: Int = 100) throws {
        self.name = name
        (self.version, self.logDirectory) = try makeVersionDirectory(root: rootDirectory, name: name, version: version)
        self.flushLogsEveryNSteps = flushLogsEveryNSteps
    }

    /// Path of the metrics file.
    public var metricsPath: String { logDirectory + "/metrics.csv" }

    public func logMetrics(_ metrics: [String: Double], step: Int) throws {
        var row = metrics
        row["step"] = Double(step)
        if let last = rows.last, last["step"] == row["step"], written < rows.count {
            rows[rows.count - 1].merge(row) { $1 }
        } else {
            rows.append(row)
        }
        if rows.count - written >= flushLogsEveryNSteps { try save() }
    }

    public func logHyperparameters(_ hparams: [String: HParam]) throws {
        try writeHyperparameters(hparams, to: logDirectory + "/hparams.yaml")
    }

    public func save() throws {
        let keys = Set(rows.flatMap(\.keys)).union(columns).sorted()
        let rewrite = keys != columns
        columns = keys
        let pending = rewrite ? rows[...] : rows[written...]
        guard rewrite || !pending.isEmpty else { return }
        var text = rewrite ? columns.joined(separator: ",") + "\n" : ""
        for row in pending {
            text += columns.map { row[$0].map(Self.format) ?? "" }.joined(separator: ",") + "\n"
        }
        do {
            if rewrite || !FileManager.default.fileExists(atPath: metricsPath) {
                try text.write(toFile: metricsPath, atomically: true, encoding: .utf8)
            } else {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: metricsPath))
                defer { try? handle.close() }
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(text.utf8))
            }
        } catch {
            throw LoggerError.cannotWrite(path: metricsPath, reason: error.localizedDescription)
        }
        written = rows.count
    }

    public func finalize(status: String) throws { try save() }

    /// Whole numbers without a fraction (steps, epochs), others with full precision.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

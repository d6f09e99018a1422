import Foundation
import VoltInterop

/// Logs to `metrics.csv` and `hparams.yaml` in the run's directory — Lightning's `CSVLogger`.
///
/// The file is the one Lightning writes, so scripts that read Lightning's logs (`pandas.read_csv`) read Volt's:
/// - the header is the sorted union of every metric key seen and `step`;
/// - values are written as Python writes floats (`0.5`, `1e-08`, `nan`), `step` and an integral `epoch` as integers
///   (Lightning logs both as Python `int`s); a metric missing from a row is an empty field;
/// - lines end in `\r\n` (Python's `csv` module);
/// - rows are kept in memory and written every `flushLogsEveryNSteps` steps (when `(step + 1)` is a multiple of it),
///   on ``save()`` and on ``finalize(status:)``; when a new key appears the whole file is rewritten with the new
///   header, as Lightning does.
///
/// One deliberate difference: metrics logged at the same step by consecutive calls share one row (Lightning
/// appends a row per call, leaving its CSV sparse — Lightning issue #4143). A call starts a new row when its step
/// differs from the last row's or when it would change a value already in that row.
///
/// A run that reuses an existing version directory replaces its `metrics.csv`, like Lightning.
public final class CSVLogger: Logger {
    /// The experiment name (empty: versions directly under ``rootDirectory``).
    public let name: String
    /// This run's version.
    public let version: Int
    /// The directory that holds `<name>/version_N` (Lightning's `save_dir`).
    public let rootDirectory: String
    /// This run's directory.
    public let logDirectory: String
    /// Put in front of every metric key with a `-` (Lightning's `prefix`).
    public let prefix: String
    /// Rows are written to disk when `(step + 1)` is a multiple of this.
    public let flushLogsEveryNSteps: Int
    /// Every hyper-parameter logged so far.
    public private(set) var hyperparameters: [String: HParam] = [:]

    /// `<logDirectory>/metrics.csv`.
    public var metricsPath: String { logDirectory + "/metrics.csv" }
    /// `<logDirectory>/hparams.yaml`.
    public var hyperparametersPath: String { logDirectory + "/hparams.yaml" }

    /// One line of the file.
    private struct Row { var step: Int; var values: [String: Double] }
    private var rows: [Row] = []
    /// Rows already in the file, and the header they were written with.
    private var writtenRows = 0
    private var writtenHeader: [String] = []
    /// Whether the last written row took more values since (it is then written again).
    private var lastWrittenRowChanged = false
    /// Whether the run's directory has been prepared (created, a stale `metrics.csv` removed).
    private var started = false

    /// A CSV logger writing to `<rootDirectory>/<name>/version_<version>`.
    ///
    /// - Parameters:
    ///   - rootDirectory: Lightning's `save_dir`; the ``Trainer`` passes `<defaultRootDir>/volt_logs`.
    ///   - name: The experiment folder under `rootDirectory`; empty (the default) puts the versions in
    ///     `rootDirectory` itself.
    ///   - version: The version to write; nil takes the next free one (``LogVersion/next(in:)``). The directory is
    ///     created on the first write, so loggers made one after another for the same run share a version.
    ///   - prefix: Put in front of every metric key with a `-`.
    ///   - flushLogsEveryNSteps: How often rows are written to disk (≥ 1).
    public init(rootDirectory: String, name: String = "", version: Int? = nil, prefix: String = "",
                flushLogsEveryNSteps: Int = 100) throws(LoggerError) {
        guard flushLogsEveryNSteps >= 1 else {
            throw .invalidArgument("flushLogsEveryNSteps must be ≥ 1, got \(flushLogsEveryNSteps)")
        }
        self.rootDirectory = rootDirectory
        self.name = name
        self.version = try LogVersion.resolve(version, root: rootDirectory, name: name)
        self.logDirectory = LogVersion.directory(root: rootDirectory, name: name, version: self.version)
        self.prefix = prefix
        self.flushLogsEveryNSteps = flushLogsEveryNSteps
    }

    /// Records `metrics` at `step`, in the last row when it has the same step and no conflicting value.
    /// A metric named `step` is replaced by the step, as in Lightning.
    public func logMetrics(_ metrics: [String: Double], step: Int) throws(LoggerError) {
        try start()
        var values = metrics.prefixed(prefix)
        values["step"] = nil
        if let last = rows.last, last.step == step,
           values.allSatisfy({ key, value in last.values[key].map { $0.bitPattern == value.bitPattern } ?? true }) {
            rows[rows.count - 1].values.merge(values) { $1 }
            if rows.count == writtenRows { lastWrittenRowChanged = true }
        } else {
            rows.append(Row(step: step, values: values))
        }
        if (step + 1) % flushLogsEveryNSteps == 0 { try save() }
    }

    /// Merges `hparams` into ``hyperparameters`` and writes them all to `hparams.yaml` (``HParamsYAML``).
    public func logHyperparameters(_ hparams: [String: HParam]) throws(LoggerError) {
        try start()
        hyperparameters.merge(hparams) { $1 }
        try HParamsYAML.write(hyperparameters, to: hyperparametersPath)
    }

    /// Writes the rows not yet in `metrics.csv`: appended when the header is unchanged, else the whole file anew.
    public func save() throws(LoggerError) {
        guard rows.count > writtenRows || lastWrittenRowChanged else { return }
        try start()
        var keys = Set(writtenHeader)
        keys.insert("step")
        for row in rows[writtenRows...] { keys.formUnion(row.values.keys) }
        let header = keys.sorted()
        let fileExists = FileManager.default.fileExists(atPath: metricsPath)
        if fileExists && header == writtenHeader && !lastWrittenRowChanged {
            try LogFiles.append(Data(text(rows[writtenRows...], header: header).utf8), to: metricsPath)
        } else {
            let body = line(header.map(PythonFormat.csvField)) + text(rows[...], header: header)
            try LogFiles.write(Data(body.utf8), to: metricsPath)
        }
        writtenRows = rows.count
        writtenHeader = header
        lastWrittenRowChanged = false
    }

    /// Writes what is left; a logger that never logged writes nothing.
    public func finalize(status: String) throws(LoggerError) {
        guard started else { return }
        try save()
    }

    /// Creates the run's directory and removes a `metrics.csv` left there by an earlier run, once.
    private func start() throws(LoggerError) {
        guard !started else { return }
        try LogFiles.createDirectory(logDirectory)
        try LogFiles.remove(metricsPath)
        started = true
    }

    /// The CSV lines of `rows` under `header`.
    private func text(_ rows: ArraySlice<Row>, header: [String]) -> String {
        rows.map { row in
            line(header.map { key in
                if key == "step" { return String(row.step) }
                guard let value = row.values[key] else { return "" }
                return key == "epoch" ? Self.epochField(value) : PythonFormat.repr(value)
            })
        }.joined()
    }

    private func line(_ fields: [String]) -> String { fields.joined(separator: ",") + "\r\n" }

    /// Lightning logs the epoch as a Python `int`, so the CSV shows `3`, not `3.0`.
    private static func epochField(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : PythonFormat.repr(value)
    }
}

import Foundation

/// Logs to TensorBoard event files (`tensorboard --logdir <root>`) — Lightning's `TensorBoardLogger`.
///
/// As in Lightning (through PyTorch's `SummaryWriter`):
/// - each metric is one scalar event (`simple_value`, float32) at its step, keys in sorted order;
/// - ``logHyperparameters(_:)`` logs `hp_metric = -1` (when `defaultHPMetric`) and the hparams plugin's three
///   summaries (``HParamsPlugin``), so the run appears in TensorBoard's HPARAMS tab;
/// - ``save()`` flushes the event file and writes `hparams.yaml` (``HParamsYAML``) when the run's directory has
///   none yet; ``finalize(status:)`` flushes and closes the file (and saves when the status is "success").
///
/// The event file is created on the first write, so loggers made one after another for the same run
/// (CSV and TensorBoard) take the same version directory.
public final class TensorBoardLogger: Logger {
    /// The experiment name (empty: versions directly under ``rootDirectory``).
    public let name: String
    /// This run's version.
    public let version: Int
    /// The directory that holds `<name>/version_N` (Lightning's `save_dir`).
    public let rootDirectory: String
    /// This run's directory, where the event file goes.
    public let logDirectory: String
    /// Put in front of every metric key with a `-` (Lightning's `prefix`).
    public let prefix: String
    /// Whether ``logHyperparameters(_:)`` logs `hp_metric = -1` and the hparams plugin's summaries (Lightning's
    /// `default_hp_metric`; without a metric Lightning writes no plugin summaries either).
    public let defaultHPMetric: Bool
    /// Every hyper-parameter logged so far.
    public private(set) var hyperparameters: [String: HParam] = [:]
    private var writer: TFEventWriter?

    /// The current event file, nil before the first event.
    public var eventFile: String? { writer?.path }
    /// `<logDirectory>/hparams.yaml`.
    public var hyperparametersPath: String { logDirectory + "/hparams.yaml" }

    /// A TensorBoard logger writing to `<rootDirectory>/<name>/version_<version>`.
    ///
    /// - Parameters:
    ///   - rootDirectory: Lightning's `save_dir`; the ``Trainer`` passes `<defaultRootDir>/volt_logs`.
    ///   - name: The experiment folder under `rootDirectory`; empty (the default) puts versions in `rootDirectory`.
    ///   - version: The version to write; nil takes the next free one (``LogVersion/next(in:)``).
    ///   - defaultHPMetric: Log `hp_metric = -1` with the hyper-parameters, as Lightning does by default.
    ///   - prefix: Put in front of every metric key with a `-`.
    public init(rootDirectory: String, name: String = "", version: Int? = nil, defaultHPMetric: Bool = true,
                prefix: String = "") throws(LoggerError) {
        self.rootDirectory = rootDirectory
        self.name = name
        self.version = try LogVersion.resolve(version, root: rootDirectory, name: name)
        self.logDirectory = LogVersion.directory(root: rootDirectory, name: name, version: self.version)
        self.prefix = prefix
        self.defaultHPMetric = defaultHPMetric
    }

    /// Writes one scalar event per metric at `step`, now.
    public func logMetrics(_ metrics: [String: Double], step: Int) throws(LoggerError) {
        let wallTime = Date().timeIntervalSince1970
        for (tag, value) in metrics.prefixed(prefix).sorted(by: { $0.key < $1.key }) {
            try events().write(.scalar(tag, value, step: step, wallTime: wallTime))
        }
    }

    /// Merges `hparams` into ``hyperparameters``; logs `hp_metric = -1` and the hparams plugin's experiment,
    /// session-start and session-end (success) summaries for `hparams`, as Lightning does.
    public func logHyperparameters(_ hparams: [String: HParam]) throws(LoggerError) {
        hyperparameters.merge(hparams) { $1 }
        guard defaultHPMetric else { return }
        let metric = ["hp_metric": -1.0].prefixed(prefix)
        try logMetrics(metric, step: 0)
        let wallTime = Date().timeIntervalSince1970
        for value in HParamsPlugin.summaryValues(hparams, metricTags: Array(metric.keys)) {
            try events().write(TensorBoardEvent(wallTime: wallTime, payload: .summary([value])))
        }
    }

    /// Flushes the event file and writes `hparams.yaml` when the run's directory exists and has none.
    public func save() throws(LoggerError) {
        try writer?.flush()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: logDirectory, isDirectory: &isDirectory), isDirectory.boolValue,
           !FileManager.default.fileExists(atPath: hyperparametersPath) {
            try HParamsYAML.write(hyperparameters, to: hyperparametersPath)
        }
    }

    /// Flushes and closes the event file (a later event starts a new file), then saves on "success".
    public func finalize(status: String) throws(LoggerError) {
        try writer?.close()
        writer = nil
        if status == "success" { try save() }
    }

    /// The event file, created on first use.
    private func events() throws(LoggerError) -> TFEventWriter {
        if let writer { return writer }
        let created = try TFEventWriter(directory: logDirectory)
        writer = created
        return created
    }
}

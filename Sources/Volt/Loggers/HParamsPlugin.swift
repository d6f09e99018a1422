/// TensorBoard's hparams plugin data (tensorboard/plugins/hparams/plugin_data.proto and api.proto), so the
/// HPARAMS tab lists the run with its hyper-parameters and metrics.
///
/// A run carries three summaries, exactly what `torch.utils.tensorboard.summary.hparams` gives Lightning's
/// `TensorBoardLogger.log_hyperparams`: the experiment (one `HParamInfo` per hyper-parameter, one `MetricInfo`
/// per metric tag), the session start (the values) and the session end (the status). Each is
/// `HParamsPluginData{version = 1 (0), experiment = 2 | session_start_info = 3 | session_end_info = 4}`,
/// stored as `plugin_data.content` of a `Summary.Value` with no value under the tags below.
///
/// Differences from the PyTorch helper: Booleans are `bool_value`s of type `DATA_TYPE_BOOL` (PyTorch tests
/// `isinstance(v, int)` first and writes them as numbers), and hyper-parameters and map entries are in sorted key
/// order (Python's protobuf writes map entries in hash order unless `deterministic=True`).
public enum HParamsPlugin {
    /// `plugin_data.plugin_name`.
    public static let pluginName = "hparams"
    /// The experiment summary's tag.
    public static let experimentTag = "_hparams_/experiment"
    /// The session-start summary's tag.
    public static let sessionStartInfoTag = "_hparams_/session_start_info"
    /// The session-end summary's tag.
    public static let sessionEndInfoTag = "_hparams_/session_end_info"

    /// `tensorboard.hparams.Status`.
    public enum Status: Int64, Sendable {
        /// `STATUS_UNKNOWN`.
        case unknown = 0
        /// `STATUS_SUCCESS`.
        case success = 1
        /// `STATUS_FAILURE`.
        case failure = 2
        /// `STATUS_RUNNING`.
        case running = 3
    }

    /// `HParamsPluginData{experiment: Experiment{hparam_infos = 4, metric_infos = 5}}`: each hyper-parameter's
    /// name and type (`DATA_TYPE_FLOAT64` for numbers, `DATA_TYPE_STRING`, `DATA_TYPE_BOOL`), each metric's tag.
    public static func experiment(_ hparams: [String: HParam], metricTags: [String]) -> [UInt8] {
        pluginData(2) { experiment in
            for key in hparams.keys.sorted() {
                experiment.message(4) { info in
                    info.string(1, key)
                    info.int64(4, dataType(hparams[key]!))
                }
            }
            for tag in metricTags {
                experiment.message(5) { info in info.message(1) { name in name.string(2, tag) } }
            }
        }
    }

    /// `HParamsPluginData{session_start_info: SessionStartInfo{hparams = 1 (map<string, google.protobuf.Value>)}}`.
    public static func sessionStartInfo(_ hparams: [String: HParam]) -> [UInt8] {
        pluginData(3) { info in
            for key in hparams.keys.sorted() {
                info.message(1) { entry in
                    entry.string(1, key, always: true)
                    entry.message(2) { value in
                        switch hparams[key]! {
                        case let .int(v): value.double(2, Double(v), always: true)
                        case let .double(v): value.double(2, v, always: true)
                        case let .string(v): value.string(3, v, always: true)
                        case let .bool(v): value.bool(4, v, always: true)
                        }
                    }
                }
            }
        }
    }

    /// `HParamsPluginData{session_end_info: SessionEndInfo{status = 1}}`.
    public static func sessionEndInfo(_ status: Status) -> [UInt8] {
        pluginData(4) { $0.int64(1, status.rawValue) }
    }

    /// The three summary values, in the order Lightning writes them: experiment, session start, session end.
    public static func summaryValues(_ hparams: [String: HParam], metricTags: [String],
                                     status: Status = .success) -> [TensorBoardEvent.SummaryValue] {
        [(experimentTag, experiment(hparams, metricTags: metricTags)),
         (sessionStartInfoTag, sessionStartInfo(hparams)),
         (sessionEndInfoTag, sessionEndInfo(status))]
            .map { TensorBoardEvent.SummaryValue(tag: $0.0, pluginName: pluginName, pluginContent: $0.1) }
    }

    /// `tensorboard.hparams.DataType` of a value.
    private static func dataType(_ value: HParam) -> Int64 {
        switch value {
        case .string: 1
        case .bool: 2
        case .int, .double: 3
        }
    }

    /// `HParamsPluginData` (version 0, not written) with its oneof `data` set to field `field`.
    private static func pluginData(_ field: Int, _ build: (inout ProtobufEncoder) -> Void) -> [UInt8] {
        var e = ProtobufEncoder()
        e.message(field, build)
        return e.bytes
    }
}

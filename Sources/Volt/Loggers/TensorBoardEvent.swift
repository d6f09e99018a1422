/// One TensorBoard `Event` protobuf (tensorboard/compat/proto/event.proto), the unit of an event file.
///
/// Volt writes the subset TensorBoard needs for scalars and the hparams plugin:
/// `Event{wall_time = 1 (double), step = 2 (int64), file_version = 3 | summary = 5, source_metadata = 10}`,
/// `Summary{value = 1 (repeated)}`, `Summary.Value{tag = 1, simple_value = 2 (float), metadata = 9}` and
/// `SummaryMetadata{plugin_data = 1 {plugin_name = 1, content = 2 (bytes)}}`.
/// ``serialized()`` gives the same bytes as Python protobuf's `SerializeToString()` of the same message.
public struct TensorBoardEvent: Sendable, Equatable {
    /// What the event carries (the `what` oneof).
    public enum Payload: Sendable, Equatable {
        /// `file_version`, "brain.Event:2" in the first event of a file.
        case fileVersion(String)
        /// A `Summary` with these values.
        case summary([SummaryValue])
    }

    /// One `Summary.Value`: a scalar (`simple_value`) and/or plugin metadata.
    public struct SummaryValue: Sendable, Equatable {
        /// The series name shown by TensorBoard.
        public var tag: String
        /// The scalar, a float32 as in TensorBoard (nil writes no value, as for the hparams plugin's summaries).
        public var simpleValue: Float?
        /// `metadata.plugin_data.plugin_name`, when the value belongs to a plugin.
        public var pluginName: String?
        /// `metadata.plugin_data.content`, the plugin's serialized data.
        public var pluginContent: [UInt8]

        /// A value with every part given.
        public init(tag: String, simpleValue: Float? = nil, pluginName: String? = nil, pluginContent: [UInt8] = []) {
            self.tag = tag
            self.simpleValue = simpleValue
            self.pluginName = pluginName
            self.pluginContent = pluginContent
        }

        /// A scalar: what `SummaryWriter.add_scalar` writes.
        public static func scalar(_ tag: String, _ value: Float) -> SummaryValue {
            SummaryValue(tag: tag, simpleValue: value)
        }
    }

    /// Seconds since the Unix epoch.
    public var wallTime: Double
    /// The step (0 is not written, as proto3 omits defaults; readers see 0).
    public var step: Int64
    /// The content.
    public var payload: Payload
    /// `source_metadata.writer`, the program that wrote the file (first event only, by convention).
    public var sourceWriter: String?

    /// An event with every part given.
    public init(wallTime: Double, step: Int64 = 0, payload: Payload, sourceWriter: String? = nil) {
        self.wallTime = wallTime
        self.step = step
        self.payload = payload
        self.sourceWriter = sourceWriter
    }

    /// The first event of every file: `file_version: "brain.Event:2"`.
    public static func fileVersion(wallTime: Double, sourceWriter: String?) -> TensorBoardEvent {
        TensorBoardEvent(wallTime: wallTime, payload: .fileVersion("brain.Event:2"), sourceWriter: sourceWriter)
    }

    /// One scalar at `step`: what `SummaryWriter.add_scalar(tag, value, step, walltime)` writes (the value is
    /// rounded to float32).
    public static func scalar(_ tag: String, _ value: Double, step: Int, wallTime: Double) -> TensorBoardEvent {
        TensorBoardEvent(wallTime: wallTime, step: Int64(step), payload: .summary([.scalar(tag, Float(value))]))
    }

    /// The protobuf bytes, fields in field-number order.
    public func serialized() -> [UInt8] {
        var e = ProtobufEncoder()
        e.double(1, wallTime)
        e.int64(2, step)
        switch payload {
        case let .fileVersion(version):
            e.string(3, version, always: true)
        case let .summary(values):
            e.message(5) { summary in
                for value in values { summary.message(1) { Self.encode(value, into: &$0) } }
            }
        }
        if let sourceWriter { e.message(10) { $0.string(1, sourceWriter) } }
        return e.bytes
    }

    private static func encode(_ value: SummaryValue, into e: inout ProtobufEncoder) {
        e.string(1, value.tag)
        if let simpleValue = value.simpleValue { e.float(2, simpleValue, always: true) }
        if let pluginName = value.pluginName {
            e.message(9) { metadata in
                metadata.message(1) { pluginData in
                    pluginData.string(1, pluginName)
                    pluginData.bytes(2, value.pluginContent)
                }
            }
        }
    }
}

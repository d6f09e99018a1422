import Foundation
import Synchronization

/// Numbers event files within the process (the last part of their names), like TensorBoard's `_global_uid`.
private let eventFileCounter = Mutex(0)

/// Writes one TensorBoard event file: TFRecord-framed ``TensorBoardEvent`` protobufs.
///
/// The file is `events.out.tfevents.<unix seconds, 10 digits>.<hostname>.<pid>.<counter><suffix>`, the name
/// TensorBoard's `EventFileWriter` (and so PyTorch's and Lightning's `SummaryWriter`) gives it, and starts with the
/// `file_version: "brain.Event:2"` event. Events are buffered and written every `maxQueueSize` events, when
/// `flushSeconds` have passed since the last write, on ``flush()`` and on ``close()`` (TensorBoard's defaults:
/// 10 events, 120 s).
public final class TFEventWriter {
    /// The event file.
    public let path: String
    /// Events held before they are written.
    public let maxQueueSize: Int
    /// Seconds after which held events are written.
    public let flushSeconds: Double
    private var pending: [UInt8] = []
    private var pendingEvents = 0
    private var lastFlush = Date()
    private var handle: FileHandle?

    /// Creates the event file in `directory` (creating the directory) and writes the file-version event.
    ///
    /// - Parameters:
    ///   - directory: The folder of the event file, created if missing.
    ///   - wallTime: The time in the file name and in the first event.
    ///   - sourceWriter: `source_metadata.writer` of the first event (TensorBoard's own writer puts
    ///     "tensorboard.summary.writer.event_file_writer" there); nil leaves it out.
    ///   - filenameSuffix: Appended to the file name.
    ///   - maxQueueSize: Events buffered before they are written.
    ///   - flushSeconds: Seconds after which buffered events are written even if the queue is not full.
    public init(directory: String, wallTime: Double = Date().timeIntervalSince1970, sourceWriter: String? = "volt",
                filenameSuffix: String = "", maxQueueSize: Int = 10, flushSeconds: Double = 120) throws(LoggerError) {
        let counter = eventFileCounter.withLock { value in
            defer { value += 1 }
            return value
        }
        path = directory + "/" + Self.fileName(wallTime: wallTime, hostname: Self.hostname(),
                                               processID: Int(ProcessInfo.processInfo.processIdentifier),
                                               counter: counter) + filenameSuffix
        self.maxQueueSize = max(1, maxQueueSize)
        self.flushSeconds = flushSeconds
        try LogFiles.createDirectory(directory)
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw .cannotWrite(path: path, reason: "cannot create the event file")
        }
        self.handle = handle
        try write(.fileVersion(wallTime: wallTime, sourceWriter: sourceWriter))
        try flush()
    }

    deinit { try? close() }

    /// TensorBoard's event file name: `events.out.tfevents.%010d.<hostname>.<pid>.<counter>` (whole seconds).
    public static func fileName(wallTime: Double, hostname: String, processID: Int, counter: Int) -> String {
        let seconds = String(Int(wallTime.rounded(.down)))
        let padded = String(repeating: "0", count: max(0, 10 - seconds.count)) + seconds
        return "events.out.tfevents.\(padded).\(hostname).\(processID).\(counter)"
    }

    /// Queues `event`, writing the queue when it is full or old.
    public func write(_ event: TensorBoardEvent) throws(LoggerError) {
        guard handle != nil else { throw .cannotWrite(path: path, reason: "the event file is closed") }
        pending.append(contentsOf: TFRecord.frame(event.serialized()))
        pendingEvents += 1
        if pendingEvents >= maxQueueSize || Date().timeIntervalSince(lastFlush) >= flushSeconds { try flush() }
    }

    /// Writes the queued events to the file.
    public func flush() throws(LoggerError) {
        lastFlush = Date()
        guard let handle, !pending.isEmpty else { return }
        do { try handle.write(contentsOf: Data(pending)) }
        catch { throw .cannotWrite(path: path, reason: LogFiles.reason(error)) }
        pending.removeAll(keepingCapacity: true)
        pendingEvents = 0
    }

    /// Writes the queued events and closes the file; later writes throw.
    public func close() throws(LoggerError) {
        guard let handle else { return }
        try flush()
        self.handle = nil
        do { try handle.close() } catch { throw .cannotWrite(path: path, reason: LogFiles.reason(error)) }
    }

    /// The host name as `socket.gethostname()` gives it.
    private static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

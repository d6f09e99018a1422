import Foundation

/// Errors of the loggers and of reading TensorBoard event files; every file-system error names its path.
public enum LoggerError: Error, Equatable, CustomStringConvertible {
    /// A logger argument out of range (a negative version, a flush interval below 1).
    case invalidArgument(String)
    /// A directory could not be created.
    case cannotCreateDirectory(path: String, reason: String)
    /// A file could not be written, appended to, renamed or removed.
    case cannotWrite(path: String, reason: String)
    /// A file could not be read.
    case cannotRead(path: String, reason: String)
    /// An event file whose TFRecord framing or checksums are wrong at byte `offset`.
    case corruptRecord(path: String, offset: Int, reason: String)

    /// One line saying what failed and where.
    public var description: String {
        switch self {
        case let .invalidArgument(detail): "invalid logger argument: \(detail)"
        case let .cannotCreateDirectory(path, reason): "cannot create directory \(path): \(reason)"
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        case let .cannotRead(path, reason): "cannot read \(path): \(reason)"
        case let .corruptRecord(path, offset, reason): "corrupt TFRecord in \(path) at byte \(offset): \(reason)"
        }
    }
}

/// Small file-system helpers that turn Foundation's errors into ``LoggerError``s naming the path.
enum LogFiles {
    /// Creates `path` and its parents when missing.
    static func createDirectory(_ path: String) throws(LoggerError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        catch { throw .cannotCreateDirectory(path: path, reason: reason(error)) }
    }

    /// Replaces the file at `path` with `bytes`, atomically (a crash leaves the old or the new file, never half).
    static func write(_ bytes: some DataProtocol, to path: String) throws(LoggerError) {
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) }
        catch { throw .cannotWrite(path: path, reason: reason(error)) }
    }

    /// Appends `bytes` to the file at `path`, creating it when missing.
    static func append(_ bytes: some DataProtocol, to path: String) throws(LoggerError) {
        if !FileManager.default.fileExists(atPath: path) { return try write(bytes, to: path) }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(bytes))
        } catch { throw .cannotWrite(path: path, reason: reason(error)) }
    }

    /// Removes the file at `path` when it exists.
    static func remove(_ path: String) throws(LoggerError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) }
        catch { throw .cannotWrite(path: path, reason: reason(error)) }
    }

    /// The file's bytes.
    static func read(_ path: String) throws(LoggerError) -> [UInt8] {
        do { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
        catch { throw .cannotRead(path: path, reason: reason(error)) }
    }

    /// A one-line reason for a Foundation error.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return "\(underlying.localizedDescription) (\(nsError.domain) \(nsError.code))"
        }
        return nsError.localizedDescription
    }
}

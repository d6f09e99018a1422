import Foundation

/// Files written so that a crash leaves the old file or the new one, never a partial one: a temporary file beside
/// the target, fsynced, renamed onto it, and the directory fsynced. Checkpoints, adapters, safetensors and
/// `config.json` files, plots and shards are all written this way.
public enum DurableFile {
    /// Writes `data` to `path` so that a crash leaves the old file or the new one, never a partial one:
    /// `path.tmp` is written and fsynced, renamed onto `path`, and the directory is fsynced.
    ///
    /// - Throws: ``DurableFileError/cannotWrite(path:reason:)``; the `.tmp` is removed on failure.
    public static func write(_ data: Data, to path: String) throws {
        try replace(path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw DurableFileError.cannotWrite(path: path, reason: "cannot create \(temporary)")
            }
        }
    }

    /// Puts a new file at `path` so that a crash leaves the old file or the new one, never a partial one:
    /// `body` writes (and closes) `path.tmp`, which is fsynced, renamed onto `path`, and the directory fsynced.
    /// On a failure before the rename the `.tmp` is removed and any file at `path` is left as it was.
    ///
    /// - Throws: what `body` throws, or ``DurableFileError/cannotWrite(path:reason:)``.
    public static func replace(_ path: String, writing body: (_ temporary: String) throws -> Void) throws {
        let temporary = path + ".tmp"
        do {
            try body(temporary)
            try fsync(temporary, finalPath: path)
            guard rename(temporary, path) == 0 else {
                throw DurableFileError.cannotWrite(path: path, reason: "rename from .tmp: " + errnoText())
            }
        } catch {
            unlink(temporary)
            throw error
        }
        let directory = (path as NSString).deletingLastPathComponent
        try fsyncDirectory(directory.isEmpty ? "." : directory, finalPath: path)
    }

    /// Forces `path`'s data to stable storage.
    ///
    /// - Throws: ``DurableFileError/cannotWrite(path:reason:)`` naming `finalPath`.
    private static func fsync(_ path: String, finalPath: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DurableFileError.cannotWrite(path: finalPath, reason: "open for fsync: " + errnoText()) }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw DurableFileError.cannotWrite(path: finalPath, reason: "fsync: " + errnoText()) }
    }

    /// Forces the directory entry of a rename (or of a new file) in `directory` to stable storage. File systems
    /// that cannot fsync a directory (EINVAL) are accepted: they give no stronger guarantee to ask for.
    ///
    /// - Throws: ``DurableFileError/cannotWrite(path:reason:)`` naming `finalPath`.
    public static func fsyncDirectory(_ directory: String, finalPath: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else {
            throw DurableFileError.cannotWrite(path: finalPath, reason: "open directory for fsync: " + errnoText())
        }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 || errno == EINVAL else {
            throw DurableFileError.cannotWrite(path: finalPath,
                                               reason: "the new file is in place, but fsync of its directory failed: " + errnoText())
        }
    }

    /// The text of the current `errno`, for error messages.
    public static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// A file that could not be written durably.
public enum DurableFileError: Error, Equatable, CustomStringConvertible {
    /// Writing, fsyncing or renaming `path` failed for `reason`; any file already at `path` is as it was.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        }
    }
}

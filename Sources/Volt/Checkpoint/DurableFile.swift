import Foundation
import VoltHDF5

/// fsync of a written file and of its directory, for the atomic checkpoint write.
public enum DurableFile {
    /// Writes `data` to `path` so that a crash leaves the old file or the new one, never a partial one:
    /// `path.tmp` is written and fsynced, renamed onto `path`, and the directory is fsynced.
    ///
    /// - Throws: ``CheckpointError/cannotWrite(path:object:reason:)``; the `.tmp` is removed on failure.
    public static func write(_ data: Data, to path: String) throws {
        try replace(path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw CheckpointError.cannotWrite(path: path, object: "/", reason: "cannot create \(temporary)")
            }
        }
    }

    /// Puts a new file at `path` so that a crash leaves the old file or the new one, never a partial one:
    /// `body` writes (and closes) `path.tmp`, which is fsynced, renamed onto `path`, and the directory fsynced.
    /// On a failure before the rename the `.tmp` is removed and any file at `path` is left as it was.
    ///
    /// - Throws: what `body` throws, or ``CheckpointError/cannotWrite(path:object:reason:)``.
    public static func replace(_ path: String, writing body: (_ temporary: String) throws -> Void) throws {
        let temporary = path + ".tmp"
        do {
            try body(temporary)
            try fsync(temporary, finalPath: path)
            guard rename(temporary, path) == 0 else {
                throw CheckpointError.cannotWrite(path: path, object: "/", reason: "rename from .tmp: " + errnoText())
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
    /// - Throws: ``CheckpointError/cannotWrite(path:object:reason:)`` naming `finalPath`.
    private static func fsync(_ path: String, finalPath: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CheckpointError.cannotWrite(path: finalPath, object: "/", reason: "open for fsync: " + errnoText()) }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw CheckpointError.cannotWrite(path: finalPath, object: "/", reason: "fsync: " + errnoText()) }
    }

    /// Forces the directory entry of a rename to stable storage. File systems that cannot fsync a directory
    /// (EINVAL) are accepted: they give no stronger guarantee to ask for.
    static func fsyncDirectory(_ directory: String, finalPath: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else {
            throw CheckpointError.cannotWrite(path: finalPath, object: "/", reason: "open directory for fsync: " + errnoText())
        }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 || errno == EINVAL else {
            throw CheckpointError.cannotWrite(path: finalPath, object: "/",
                                              reason: "the new file is in place, but fsync of its directory failed: " + errnoText())
        }
    }

    /// The text of the current `errno`.
    static func errnoText() -> String { String(cString: strerror(errno)) }
}

extension DurableFile {
    /// Writes an HDF5 file at `path` atomically: `contents` fills `<path>.tmp`, which is closed, fsynced, renamed
    /// onto `path`, and the directory fsynced — so a crash leaves the old file or the new one, never a partial
    /// one. On a failure before the rename the `.tmp` is removed and any file at `path` is left as it was.
    /// Holds `hdf5Lock` throughout.
    ///
    /// - Parameters:
    ///   - path: the file to write.
    ///   - failure: the error to throw for the part being written (`/` for the file) and a reason.
    ///   - contents: fills the file's root group.
    public static func writeHDF5(to path: String, failure: (_ object: String, _ reason: String) -> any Error,
                                  _ contents: (HDF5Group) throws -> Void) throws {
        do {
            try hdf5Lock.withLock { try writeHDF5Unlocked(to: path, contents) }
        } catch let CheckpointError.cannotWrite(_, object, reason) {
            throw failure(object, reason)
        }
    }

    /// ``writeHDF5(to:failure:_:)`` without the lock, failing with ``CheckpointError/cannotWrite(path:object:reason:)``.
    static func writeHDF5Unlocked(to path: String, _ contents: (HDF5Group) throws -> Void) throws {
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError.cannotWrite(path: path, object: "/", reason: "directory \(directory) does not exist")
        }
        try replace(path) { temporary in
            do {
                let file = try HDF5File(creating: temporary)
                try contents(try file.root())
                try file.close()
            } catch let error as HDF5Error {
                throw CheckpointError(writing: path, error)
            }
        }
    }
}

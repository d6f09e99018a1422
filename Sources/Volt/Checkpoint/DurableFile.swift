import Foundation

/// fsync of a written file and of its directory, for the atomic checkpoint write.
package enum DurableFile {
    /// Forces `path`'s data to stable storage.
    ///
    /// - Throws: ``CheckpointError/cannotWrite(path:object:reason:)`` naming `finalPath`.
    package static func fsync(_ path: String, finalPath: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CheckpointError.cannotWrite(path: finalPath, object: "/", reason: "open for fsync: " + errnoText()) }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw CheckpointError.cannotWrite(path: finalPath, object: "/", reason: "fsync: " + errnoText()) }
    }

    /// Forces the directory entry of a rename to stable storage. File systems that cannot fsync a directory
    /// (EINVAL) are accepted: they give no stronger guarantee to ask for.
    package static func fsyncDirectory(_ directory: String, finalPath: String) throws {
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

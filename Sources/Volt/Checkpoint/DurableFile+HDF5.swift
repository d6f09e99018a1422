import Foundation
import VoltHDF5
import VoltInterop

/// HDF5 files written durably: checkpoints, prediction and embedding files.
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
        do {
            try replace(path) { temporary in
                do {
                    let file = try HDF5File(creating: temporary)
                    try contents(try file.root())
                    try file.close()
                } catch let error as HDF5Error {
                    throw CheckpointError(writing: path, error)
                }
            }
        } catch let DurableFileError.cannotWrite(_, reason) {
            throw CheckpointError.cannotWrite(path: path, object: "/", reason: reason)
        }
    }
}

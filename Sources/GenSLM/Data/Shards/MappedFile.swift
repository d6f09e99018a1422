import Foundation

/// A file mapped read-only into memory for the life of the value; pages load on first touch, so resident memory
/// follows what is read, not the file's size (token shards read only their offsets and lengths through it).
final class MappedFile: @unchecked Sendable {
    /// The mapping (nil for an empty file).
    let base: UnsafeRawPointer?
    /// Bytes mapped.
    let size: Int

    /// Maps `path`.
    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TokenShardError.badShard(file: path, reason: "cannot open: " + String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TokenShardError.badShard(file: path, reason: String(cString: strerror(errno))) }
        size = Int(info.st_size)
        guard size > 0 else { base = nil; return }
        guard let pointer = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), pointer != MAP_FAILED else {
            throw TokenShardError.badShard(file: path, reason: "cannot map: " + String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(pointer)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }
}

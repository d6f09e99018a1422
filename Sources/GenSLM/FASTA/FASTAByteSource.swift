import CVoltZlib
import Foundation

/// Where a ``FASTAStream`` reads its bytes: a plain file through `read(2)`, or a gzip file through zlib.
///
/// The kind is chosen from the file's first two bytes (gzip's magic `1f 8b`), not from its name.
enum FASTAByteSource {
    /// A plain file descriptor.
    case plain(Int32)
    /// A zlib gzip reader (it also reads concatenated gzip members), inflating on a background thread.
    case gzip(BackgroundInflater)

    /// Opens `path`.
    ///
    /// - Throws: ``FASTAError/cannotOpen(file:)`` for a missing, unreadable or non-regular file.
    static func open(_ path: String) throws -> FASTAByteSource {
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FASTAError.cannotOpen(file: path) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else {
            Foundation.close(fd)
            throw FASTAError.cannotOpen(file: path)
        }
        var magic: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) }
        guard n == 2, magic == (0x1f, 0x8b) else {
            return .plain(fd)
        }
        guard let file = gzdopen(fd, "rb") else {
            Foundation.close(fd)
            throw FASTAError.cannotOpen(file: path)
        }
        gzbuffer(file, 1 << 18)
        return .gzip(BackgroundInflater(file: file))
    }

    /// Whether the file is gzip-compressed.
    var isCompressed: Bool { if case .gzip = self { true } else { false } }

    /// Reads up to `capacity` bytes into `buffer`; 0 at the end of the data.
    ///
    /// - Throws: ``FASTAError/corruptCompression(file:line:detail:)`` for a damaged or truncated gzip stream,
    ///   ``FASTAError/readFailed(file:line:detail:)`` when the operating system fails the read.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int, path: String, line: Int) throws -> Int {
        switch self {
        case let .plain(fd):
            while true {
                let n = Foundation.read(fd, buffer, capacity)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw FASTAError.readFailed(file: path, line: line, detail: String(cString: strerror(errno)))
            }
        case let .gzip(inflater):
            return try inflater.read(into: buffer, capacity: capacity, path: path, line: line)
        }
    }

    /// Releases the file.
    func close() {
        switch self {
        case let .plain(fd): _ = Foundation.close(fd)
        case let .gzip(inflater): inflater.close()
        }
    }
}

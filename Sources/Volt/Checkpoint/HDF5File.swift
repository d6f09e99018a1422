import CHDF5
import Foundation

/// A failure of the HDF5 library, naming the file and the object (`/optimizers/0/state/…`) it happened on.
///
/// HDF5 prints nothing itself (its automatic error printing is turned off); its error stack is kept in
/// ``detail`` instead.
package struct HDF5Error: Error, CustomStringConvertible, Sendable {
    /// What went wrong, coarsely: enough to choose a message a person can act on.
    package enum Kind: Sendable, Equatable {
        /// The file could not be opened or created (missing, truncated, not HDF5, no permission).
        case cannotOpen
        /// A named group, dataset or attribute does not exist.
        case notFound
        /// Stored data or metadata does not match its checksum (Fletcher32 on data, Jenkins on headers).
        case checksumMismatch
        /// The object exists but holds a type or shape this wrapper does not read.
        case unsupported
        /// Any other library failure.
        case failed
    }

    /// The kind of failure.
    package var kind: Kind
    /// The HDF5 file.
    package var file: String
    /// The object inside the file, as an absolute HDF5 path.
    package var object: String
    /// What was being done ("create dataset", "read", …).
    package var operation: String
    /// HDF5's most specific message, or a sentence of our own.
    package var detail: String

    /// An error with an explicit kind and detail.
    package init(_ kind: Kind, file: String, object: String, operation: String, detail: String) {
        self.kind = kind
        self.file = file
        self.object = object
        self.operation = operation
        self.detail = detail
    }

    /// An error for the call that just failed, its kind read from HDF5's error stack.
    ///
    /// Must be made right after the failing call: the next HDF5 call clears the stack.
    /// The detail is the innermost (most specific) message on the stack, e.g. "name already exists".
    package static func current(file: String, object: String, operation: String,
                                default kind: Kind = .failed) -> HDF5Error {
        let stack = hdf5ErrorStackText()
        let found: Kind = stack.localizedCaseInsensitiveContains("checksum") ? .checksumMismatch : kind
        let innermost = stack.components(separatedBy: "; ").last ?? stack
        return HDF5Error(found, file: file, object: object, operation: operation, detail: innermost)
    }

    /// `file:object: operation failed: detail`.
    package var description: String {
        "\(file):\(object): \(operation) failed" + (detail.isEmpty ? "" : ": \(detail)")
    }
}

/// The descriptions on HDF5's current error stack, joined by "; ".
func hdf5ErrorStackText() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    buffer.withUnsafeMutableBufferPointer { b in
        if let base = b.baseAddress { volt_H5_error_text(base, b.count) }
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// An open HDF5 file: closed by ``close()`` or when the last reference (the file or any object in it) goes away.
///
/// Files are created with the 1.8 object format or newer, so that object headers carry checksums and large
/// attributes are allowed, and with creation order tracked on every group, so members list in the order they
/// were written. File locking is off: checkpoints are written to a private `.tmp` and renamed, so no two
/// processes ever share a file being written (and locking fails on some cluster file systems).
///
/// The HDF5 library Volt links is not thread-safe: use one file at a time per process (``Checkpoint`` takes
/// a process-wide lock around every read and write).
package final class HDF5File {
    /// Path of the file.
    package let path: String
    /// The file identifier; negative once closed.
    private(set) var id: hid_t

    /// Creates (or truncates) the HDF5 file at `path`.
    ///
    /// - Throws: ``HDF5Error`` of kind `.cannotOpen`.
    package init(creating path: String) throws {
        volt_H5_silence_errors()
        self.path = path
        let fcpl = H5Pcreate(volt_H5P_FILE_CREATE())
        defer { H5Pclose(fcpl) }
        HDF5File.trackCreationOrder(fcpl)
        let fapl = HDF5File.accessProperties()
        defer { H5Pclose(fapl) }
        id = H5Fcreate(path, volt_H5F_ACC_TRUNC(), fcpl, fapl)
        guard id >= 0 else { throw HDF5Error.current(file: path, object: "/", operation: "create", default: .cannotOpen) }
    }

    /// Opens the existing HDF5 file at `path`, read-only.
    ///
    /// - Throws: ``HDF5Error`` of kind `.cannotOpen` for a missing, truncated or non-HDF5 file.
    package init(opening path: String) throws {
        volt_H5_silence_errors()
        self.path = path
        let fapl = HDF5File.accessProperties()
        defer { H5Pclose(fapl) }
        id = H5Fopen(path, volt_H5F_ACC_RDONLY(), fapl)
        guard id >= 0 else { throw HDF5Error.current(file: path, object: "/", operation: "open", default: .cannotOpen) }
    }

    deinit {
        if id >= 0 { H5Fclose(id) }
    }

    /// The root group `/`.
    package func root() throws -> HDF5Group {
        let gid = H5Gopen2(id, "/", volt_H5P_DEFAULT())
        guard gid >= 0 else { throw HDF5Error.current(file: path, object: "/", operation: "open group") }
        return HDF5Group(file: self, id: gid, path: "/")
    }

    /// Size of the file in bytes.
    package func size() throws -> Int {
        var size: hsize_t = 0
        guard H5Fget_filesize(id, &size) >= 0, let bytes = Int(exactly: size) else {
            throw HDF5Error.current(file: path, object: "/", operation: "get file size")
        }
        return bytes
    }

    /// Writes everything to the operating system and closes the file.
    ///
    /// Objects still referenced stay usable until released, but every byte is handed to the OS first, so an
    /// `fsync` after `close()` makes the file durable.
    package func close() throws {
        guard id >= 0 else { return }
        defer { id = -1 }
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
            let error = HDF5Error.current(file: path, object: "/", operation: "flush")
            H5Fclose(id)
            throw error
        }
        guard H5Fclose(id) >= 0 else { throw HDF5Error.current(file: path, object: "/", operation: "close") }
    }

    /// Asks a group (or file) creation property list to track and index link and attribute creation order.
    static func trackCreationOrder(_ plist: hid_t) {
        let flags = UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)
        H5Pset_link_creation_order(plist, flags)
        H5Pset_attr_creation_order(plist, flags)
    }

    private static func accessProperties() -> hid_t {
        let fapl = H5Pcreate(volt_H5P_FILE_ACCESS())
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, volt_H5F_LIBVER_LATEST())
        H5Pset_file_locking(fapl, false, true)
        return fapl
    }
}

/// A group or dataset of an open file: something with a path that holds attributes.
///
/// Each object keeps its file open, and closes its own identifier when released.
package class HDF5Object {
    /// The file the object lives in.
    package let file: HDF5File
    /// Absolute path inside the file.
    package let path: String
    /// The object identifier.
    let id: hid_t

    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit { H5Oclose(id) }

    /// The path of a child called `name`.
    func childPath(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    /// An error for the call that just failed on this object (or on `object`, a path inside it).
    func failure(_ operation: String, object: String? = nil, default kind: HDF5Error.Kind = .failed) -> HDF5Error {
        HDF5Error.current(file: file.path, object: object ?? path, operation: operation, default: kind)
    }

    /// An error of our own (not from HDF5's stack) on this object.
    func failure(_ kind: HDF5Error.Kind, _ operation: String, _ detail: String, object: String? = nil) -> HDF5Error {
        HDF5Error(kind, file: file.path, object: object ?? path, operation: operation, detail: detail)
    }
}

import CHDF5
import Foundation

/// An open HDF5 file: closed by ``close()`` or when the last reference (the file or any object in it) goes away.
///
/// Files are created with the 1.8 object format or newer, so that object headers carry checksums and large
/// attributes are allowed, and with creation order tracked on every group, so members list in the order they
/// were written. File locking is off: checkpoints are written to a private `.tmp` and renamed, so no two
/// processes ever share a file being written (and locking fails on some cluster file systems).
///
/// The HDF5 library Volt links is not thread-safe: hold ``hdf5Lock`` while a file and its objects are in use.
public final class HDF5File {
    /// Path of the file.
    public let path: String
    /// The file identifier; negative once closed.
    private(set) var id: hid_t

    /// Creates (or truncates) the HDF5 file at `path`.
    ///
    /// - Throws: ``HDF5Error`` of kind `.cannotOpen`.
    public init(creating path: String) throws {
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
    public init(opening path: String) throws {
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
    public func root() throws -> HDF5Group {
        let gid = H5Gopen2(id, "/", volt_H5P_DEFAULT())
        guard gid >= 0 else { throw HDF5Error.current(file: path, object: "/", operation: "open group") }
        return HDF5Group(file: self, id: gid, path: "/")
    }

    /// Size of the file in bytes.
    public func size() throws -> Int {
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
    public func close() throws {
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

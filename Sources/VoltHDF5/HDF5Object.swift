import CHDF5

/// A group or dataset of an open file: something with a path that holds attributes.
///
/// Each object keeps its file open, and closes its own identifier when released.
public class HDF5Object {
    /// The file the object lives in.
    public let file: HDF5File
    /// Absolute path inside the file.
    public let path: String
    /// The object identifier.
    let id: hid_t

    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit { H5Oclose(id) }

    /// The absolute path of a member called `name` of this object.
    public func childPath(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    /// An error for the call that just failed on this object (or on `object`, a path inside it).
    func failure(_ operation: String, object: String? = nil, default kind: HDF5Error.Kind = .failed) -> HDF5Error {
        HDF5Error.current(file: file.path, object: object ?? path, operation: operation, default: kind)
    }

    /// An error of our own (not from HDF5's stack) on this object.
    func failure(_ kind: HDF5Error.Kind, _ operation: String, _ detail: String, object: String? = nil) -> HDF5Error {
        HDF5Error(kind, file: file.path, object: object ?? path, operation: operation, detail: detail)
    }
}

import Foundation

/// The lock around every use of the HDF5 library in this process.
///
/// The HDF5 library Volt links is built without thread safety: two threads inside it at once corrupt its state.
/// Hold this lock for the whole life of an ``HDF5File`` and every object read from it (open, read or write,
/// close), e.g. `try hdf5Lock.withLock { try HDF5File(opening: path).root().attribute("format") }`.
public let hdf5Lock = NSLock()

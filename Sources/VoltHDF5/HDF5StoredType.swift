/// How a dataset's elements are stored in the file: HDF5's type class, with the width and signedness of numbers.
public enum HDF5StoredType: Sendable, Equatable {
    /// Integers of `bytes` bytes each, signed or not.
    case integer(bytes: Int, signed: Bool)
    /// IEEE floating-point numbers of `bytes` bytes each (2 for half, 4 for single, 8 for double precision).
    case float(bytes: Int)
    /// Strings, fixed- or variable-length.
    case string
    /// Anything else (compound, enum, reference, …).
    case other
}

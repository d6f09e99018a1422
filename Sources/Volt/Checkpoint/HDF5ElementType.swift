import CHDF5

/// A fixed-size integer element type of a contiguous HDF5 dataset that Volt reads in place (memory-mapped).
package enum HDF5ElementType: Sendable {
    /// Unsigned 8-bit (token ids).
    case uint8
    /// Little-endian signed 32-bit.
    case int32
    /// Little-endian signed 64-bit.
    case int64

    /// Bytes per element.
    package var byteSize: Int {
        switch self {
        case .uint8: 1
        case .int32: 4
        case .int64: 8
        }
    }

    /// Whether elements are signed.
    var isSigned: Bool { self != .uint8 }

    /// The type stored in the file.
    var fileType: hid_t {
        switch self {
        case .uint8: volt_H5T_NATIVE_UINT8()
        case .int32: volt_H5T_STD_I32LE()
        case .int64: volt_H5T_STD_I64LE()
        }
    }

    /// The matching type in memory.
    var memoryType: hid_t {
        switch self {
        case .uint8: volt_H5T_NATIVE_UINT8()
        case .int32: volt_H5T_NATIVE_INT32()
        case .int64: volt_H5T_NATIVE_INT64()
        }
    }
}

import CHDF5

/// A fixed-size numeric element type, as numeric datasets are written (little-endian in the file) and as they
/// are read into memory (HDF5 converts whatever is stored to the type asked for).
public enum HDF5ElementType: Sendable, CaseIterable {
    /// Unsigned 8-bit (token ids).
    case uint8
    /// Unsigned 16-bit (also the bits of float16 and bfloat16 values).
    case uint16
    /// Signed 32-bit.
    case int32
    /// Signed 64-bit.
    case int64
    /// Unsigned 64-bit.
    case uint64
    /// IEEE 754 single precision.
    case float32

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .uint8: 1
        case .uint16: 2
        case .int32, .float32: 4
        case .int64, .uint64: 8
        }
    }

    /// Whether elements are signed (floats are).
    public var isSigned: Bool { self != .uint8 && self != .uint16 && self != .uint64 }

    /// The HDF5 type class of the elements.
    var typeClass: H5T_class_t { self == .float32 ? H5T_FLOAT : H5T_INTEGER }

    /// The type stored in the file.
    var fileType: hid_t {
        switch self {
        case .uint8: volt_H5T_NATIVE_UINT8()
        case .uint16: volt_H5T_STD_U16LE()
        case .int32: volt_H5T_STD_I32LE()
        case .int64: volt_H5T_STD_I64LE()
        case .uint64: volt_H5T_STD_U64LE()
        case .float32: volt_H5T_IEEE_F32LE()
        }
    }

    /// The matching type in memory.
    var memoryType: hid_t {
        switch self {
        case .uint8: volt_H5T_NATIVE_UINT8()
        case .uint16: volt_H5T_NATIVE_UINT16()
        case .int32: volt_H5T_NATIVE_INT32()
        case .int64: volt_H5T_NATIVE_INT64()
        case .uint64: volt_H5T_NATIVE_UINT64()
        case .float32: volt_H5T_NATIVE_FLOAT()
        }
    }
}

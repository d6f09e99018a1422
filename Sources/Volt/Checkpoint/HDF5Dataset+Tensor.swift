import VoltHDF5
import VoltTensor

/// Reading a dataset as a tensor.
extension HDF5Dataset {
    /// The dataset as a tensor.
    ///
    /// 4-byte floats read as float32; `uint16` marked `dtype="float16"`/`"bfloat16"` as that dtype, bit for bit;
    /// other floats (an IEEE half or float64 written by another tool) convert to float32, other integers to int32.
    ///
    /// - Throws: `HDF5Error` of kind `.unsupported` for strings or an unknown `dtype` mark, and of kind
    ///   `.checksumMismatch` when the stored data fails its Fletcher32 checksum.
    public func readTensor() throws -> Tensor {
        let shape = try shape()
        let dtype = try tensorType()
        _ = try elementCount(as: dtype.hdf5ElementType)
        let tensor = Tensor(uninitializedShape: shape, dtype: dtype)
        try read(as: dtype.hdf5ElementType,
                 into: UnsafeMutableRawBufferPointer(start: tensor.rawPointer, count: tensor.count * dtype.byteSize))
        return tensor
    }

    /// The dtype the dataset reads as.
    private func tensorType() throws -> DType {
        switch try storedType() {
        case .float: return .float32
        case .integer(bytes: 2, signed: false):
            guard let marked = try attribute("dtype") else { return .int32 }
            switch marked.stringValue {
            case "float16": return .float16
            case "bfloat16": return .bfloat16
            default: throw HDF5Error(.unsupported, file: file.path, object: path, operation: "read",
                                     detail: "dtype attribute \(marked) is neither \"float16\" nor \"bfloat16\"")
            }
        case .integer: return .int32
        case .string, .other:
            throw HDF5Error(.unsupported, file: file.path, object: path, operation: "read",
                            detail: "a \(try typeName()) dataset is not a tensor")
        }
    }
}

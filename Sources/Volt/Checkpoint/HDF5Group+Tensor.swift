import VoltHDF5
import VoltTensor

/// Writing tensors as datasets.
extension HDF5Group {
    /// Writes `tensor` as dataset `name` (chunked and checksummed as `HDF5Group/createDataset(_:shape:type:bytes:)`
    /// writes it).
    ///
    /// float32 is stored as `IEEE_F32LE`, int32 as `STD_I32LE`; float16 and bfloat16 keep their bits as
    /// `STD_U16LE` with a string attribute `dtype` ("float16" or "bfloat16") saying how to read them.
    public func createDataset(_ name: String, tensor: Tensor) throws -> HDF5Dataset {
        let t = tensor.detached().contiguous()
        let dataset = try withExtendedLifetime(t) {
            try createDataset(name, shape: t.shape, type: t.dtype.hdf5ElementType,
                              bytes: UnsafeRawBufferPointer(start: t.rawPointer, count: t.count * t.dtype.byteSize))
        }
        if t.dtype == .float16 || t.dtype == .bfloat16 { try dataset.setAttribute("dtype", .string(t.dtype.rawValue)) }
        return dataset
    }
}

extension DType {
    /// The HDF5 element type that holds this dtype's values (float16 and bfloat16 as their 16 bits).
    var hdf5ElementType: HDF5ElementType {
        switch self {
        case .float32: .float32
        case .int32: .int32
        case .float16, .bfloat16: .uint16
        }
    }
}

import CHDF5
import Foundation
import VoltTensor

/// A dataset of an open HDF5 file.
package final class HDF5Dataset: HDF5Object {
    /// The extent of each dimension; `[]` for a scalar dataset.
    package func shape() throws -> [Int] {
        let space = H5Dget_space(id)
        guard space >= 0 else { throw failure("read dataspace") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw failure("read dataspace") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard rank == 0 || H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { throw failure("read dataspace") }
        var shape: [Int] = []
        var count = 1
        for d in dims {
            guard let extent = Int(exactly: d) else { throw failure(.unsupported, "read dataspace", "extent \(d) is too large") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw failure(.unsupported, "read dataspace", "\(dims) elements do not fit in memory") }
            count = product
            shape.append(extent)
        }
        return shape
    }

    /// The element type by name: `float32`, `float64`, `float16` (an IEEE half type, or `uint16` bits marked
    /// `dtype="float16"`), `bfloat16`, `int8` … `int64`, `uint8` … `uint64`, `string`, or `other`.
    package func typeName() throws -> String {
        let type = H5Dget_type(id)
        guard type >= 0 else { throw failure("read type") }
        defer { H5Tclose(type) }
        let bits = H5Tget_size(type) * 8
        switch H5Tget_class(type) {
        case H5T_FLOAT: return "float\(bits)"
        case H5T_INTEGER:
            let name = (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(bits)"
            if name == "uint16", let marked = try attribute("dtype")?.stringValue { return marked }
            return name
        case H5T_STRING: return "string"
        default: return "other"
        }
    }

    /// The dataset as a tensor.
    ///
    /// 4-byte floats read as float32; `uint16` marked `dtype="float16"`/`"bfloat16"` as that dtype, bit for bit;
    /// other floats (an IEEE half or float64 written by another tool) convert to float32, other integers to int32.
    ///
    /// - Throws: ``HDF5Error`` of kind `.checksumMismatch` when the stored data fails its Fletcher32 checksum.
    package func readTensor() throws -> Tensor {
        let shape = try shape()
        let dtype = try tensorType()
        let memoryType: hid_t = switch dtype {
        case .float32: volt_H5T_NATIVE_FLOAT()
        case .int32: volt_H5T_NATIVE_INT32()
        case .float16, .bfloat16: volt_H5T_NATIVE_UINT16()
        }
        try checkFits(shape.reduce(1, *) * dtype.byteSize)
        let tensor = Tensor(uninitializedShape: shape, dtype: dtype)
        try read(into: tensor.rawPointer, memoryType: memoryType, count: tensor.count)
        return tensor
    }

    /// The dataset's elements as 64-bit unsigned words, in row-major order.
    package func readWords() throws -> [UInt64] {
        let type = H5Dget_type(id)
        guard type >= 0 else { throw failure("read type") }
        let isInteger = H5Tget_class(type) == H5T_INTEGER
        H5Tclose(type)
        guard isInteger else { throw failure(.unsupported, "read", "expected integers, found \(try typeName())") }
        let count = try shape().reduce(1, *)
        try checkFits(count * 8)
        var words = [UInt64](repeating: 0, count: count)
        try words.withUnsafeMutableBytes { try read(into: $0.baseAddress, memoryType: volt_H5T_NATIVE_UINT64(), count: count) }
        return words
    }
    /// File offsets and sizes of the stored chunks (empty for compact datasets); for tests that damage data.
    package func chunkLocations() throws -> [(offset: UInt64, size: Int)] {
        let space = H5Dget_space(id)
        guard space >= 0 else { throw failure("read dataspace") }
        defer { H5Sclose(space) }
        var chunks: hsize_t = 0
        guard H5Dget_num_chunks(id, space, &chunks) >= 0 else { return [] }
        return try (0..<chunks).map { i in
            var address: haddr_t = 0
            var size: hsize_t = 0
            guard H5Dget_chunk_info(id, space, i, nil, nil, &address, &size) >= 0, address != volt_HADDR_UNDEF() else {
                throw failure("read chunk info")
            }
            return (UInt64(address), Int(size))
        }
    }

    private func tensorType() throws -> DType {
        let type = H5Dget_type(id)
        guard type >= 0 else { throw failure("read type") }
        defer { H5Tclose(type) }
        switch H5Tget_class(type) {
        case H5T_FLOAT: return .float32
        case H5T_INTEGER:
            guard H5Tget_size(type) == 2, H5Tget_sign(type) == H5T_SGN_NONE, let marked = try attribute("dtype") else {
                return .int32
            }
            switch marked.stringValue {
            case "float16": return .float16
            case "bfloat16": return .bfloat16
            default: throw failure(.unsupported, "read", "dtype attribute \(marked) is neither \"float16\" nor \"bfloat16\"")
            }
        default:
            throw failure(.unsupported, "read", "a \(try typeName()) dataset is not a tensor")
        }
    }

    /// Guards an allocation against a corrupt dataspace: no dataset of ours is larger than its file.
    private func checkFits(_ bytes: Int) throws {
        let fileBytes = try file.size()
        guard bytes <= fileBytes else {
            throw failure(.unsupported, "read", "\(bytes) bytes of data cannot come from a file of \(fileBytes) bytes")
        }
    }

    private func read(into buffer: UnsafeMutableRawPointer?, memoryType: hid_t, count: Int) throws {
        guard count > 0 else { return }
        // With the Fletcher32 filter a damaged chunk fails here instead of returning wrong numbers.
        guard H5Dread(id, memoryType, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), buffer) >= 0 else {
            throw failure("read")
        }
    }
}

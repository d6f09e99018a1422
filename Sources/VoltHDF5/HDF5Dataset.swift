import CHDF5
import Foundation

/// A dataset of an open HDF5 file.
public final class HDF5Dataset: HDF5Object {
    /// The extent of each dimension; `[]` for a scalar dataset.
    public func shape() throws -> [Int] {
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

    /// How the elements are stored: the type class, with the width and signedness of numbers.
    public func storedType() throws -> HDF5StoredType {
        let type = H5Dget_type(id)
        guard type >= 0 else { throw failure("read type") }
        defer { H5Tclose(type) }
        let bytes = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT: return .float(bytes: bytes)
        case H5T_INTEGER: return .integer(bytes: bytes, signed: H5Tget_sign(type) != H5T_SGN_NONE)
        case H5T_STRING: return .string
        default: return .other
        }
    }

    /// The element type by name: `float32`, `float64`, `float16` (an IEEE half type, or `uint16` bits marked
    /// `dtype="float16"`), `bfloat16` (`uint16` bits marked `dtype="bfloat16"`), `int8` … `int64`,
    /// `uint8` … `uint64`, `string`, or `other`.
    public func typeName() throws -> String {
        switch try storedType() {
        case let .float(bytes): return "float\(bytes * 8)"
        case let .integer(bytes, signed):
            let name = (signed ? "int" : "uint") + "\(bytes * 8)"
            if name == "uint16", let marked = try attribute("dtype")?.stringValue { return marked }
            return name
        case .string: return "string"
        case .other: return "other"
        }
    }

    /// The number of elements, checked to fit in the file's size when read as `type` (so a corrupt dataspace
    /// cannot make a reader allocate more than the file could hold). Call it before allocating for ``read(as:into:)``.
    ///
    /// - Throws: ``HDF5Error`` of kind `.unsupported` for string (or other non-numeric) datasets, and for sizes
    ///   that cannot come from the file.
    public func elementCount(as type: HDF5ElementType) throws -> Int {
        switch try storedType() {
        case .integer, .float: break
        case .string, .other: throw failure(.unsupported, "read", "expected numbers, found \(try typeName())")
        }
        let count = try shape().reduce(1, *)
        let fileBytes = try file.size()
        guard count * type.byteSize <= fileBytes else {
            throw failure(.unsupported, "read", "\(count * type.byteSize) bytes of data cannot come from a file of \(fileBytes) bytes")
        }
        return count
    }

    /// Reads every element into `buffer`, in row-major order, converted by HDF5 to `type` (float64 to float32,
    /// int64 to int32 and so on, as C converts them).
    ///
    /// - Throws: ``HDF5Error``: as ``elementCount(as:)``; of kind `.failed` when `buffer` is smaller than
    ///   the elements; of kind `.checksumMismatch` when the stored data fails its Fletcher32 checksum.
    public func read(as type: HDF5ElementType, into buffer: UnsafeMutableRawBufferPointer) throws {
        let count = try elementCount(as: type)
        guard buffer.count >= count * type.byteSize else {
            throw failure(.failed, "read", "\(count) elements of \(type) do not fit in \(buffer.count) bytes")
        }
        guard count > 0 else { return }
        // With the Fletcher32 filter a damaged chunk fails here instead of returning wrong numbers.
        guard H5Dread(id, type.memoryType, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), buffer.baseAddress) >= 0 else {
            throw failure("read")
        }
    }

    /// The dataset's elements as 64-bit unsigned words, in row-major order. Negative values read as 0 (HDF5
    /// clamps what an unsigned type cannot hold); read signed data with ``read(as:into:)`` and `.int64`.
    ///
    /// - Throws: ``HDF5Error`` of kind `.unsupported` when the elements are not integers.
    public func readWords() throws -> [UInt64] {
        guard case .integer = try storedType() else { throw failure(.unsupported, "read", "expected integers, found \(try typeName())") }
        var words = [UInt64](repeating: 0, count: try elementCount(as: .uint64))
        try words.withUnsafeMutableBytes { try read(as: .uint64, into: $0) }
        return words
    }

    /// File offsets and sizes of the stored chunks (empty for compact datasets); for tests that damage data.
    public func chunkLocations() throws -> [(offset: UInt64, size: Int)] {
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
}

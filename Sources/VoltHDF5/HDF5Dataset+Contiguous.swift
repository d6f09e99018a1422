import CHDF5
import Foundation

extension HDF5Dataset {
    /// Where the elements of a 1-D, contiguous, unfiltered dataset of `type` lie in the file: a byte offset and
    /// an element count, for reading them in place through a memory map. A dataset with no elements has offset 0.
    ///
    /// - Throws: ``HDF5Error`` of kind `.unsupported` when the dataset is not 1-D, not of `type` (little-endian),
    ///   chunked or compressed, or does not lie inside the file.
    public func contiguousExtent(of type: HDF5ElementType) throws -> (offset: Int, count: Int) {
        let shape = try shape()
        guard shape.count == 1 else { throw failure(.unsupported, "map", "expected a 1-D dataset, found shape \(shape)") }
        let stored = H5Dget_type(id)
        guard stored >= 0 else { throw failure("read type") }
        defer { H5Tclose(stored) }
        let matches = H5Tget_class(stored) == type.typeClass && H5Tget_size(stored) == type.byteSize
            && (type.typeClass == H5T_FLOAT || (H5Tget_sign(stored) != H5T_SGN_NONE) == type.isSigned)
            && (type.byteSize == 1 || H5Tget_order(stored) == H5T_ORDER_LE)
        guard matches else {
            throw failure(.unsupported, "map", "expected \(type) elements, found \(try typeName())")
        }
        let plist = H5Dget_create_plist(id)
        guard plist >= 0 else { throw failure("read layout") }
        defer { H5Pclose(plist) }
        guard H5Pget_layout(plist) == H5D_CONTIGUOUS else {
            throw failure(.unsupported, "map", "the dataset is chunked or compact; only contiguous datasets are read in place")
        }
        guard shape[0] > 0 else { return (0, 0) }
        let address = H5Dget_offset(id)
        guard address != volt_HADDR_UNDEF(), let offset = Int(exactly: address) else {
            throw failure(.unsupported, "map", "the dataset's storage is not allocated")
        }
        let end = offset.addingReportingOverflow(shape[0] * type.byteSize)
        guard !end.overflow, end.partialValue <= (try file.size()) else {
            throw failure(.unsupported, "map", "\(shape[0]) elements at byte \(offset) run past the end of the file")
        }
        return (offset, shape[0])
    }

    /// The elements of a 1-D string dataset (variable-length, or fixed-length NUL- or space-padded).
    public func readStrings() throws -> [String] {
        let count = try shape().reduce(1, *)
        let stored = H5Dget_type(id)
        guard stored >= 0 else { throw failure("read type") }
        defer { H5Tclose(stored) }
        guard H5Tget_class(stored) == H5T_STRING else { throw failure(.unsupported, "read", "expected strings, found \(try typeName())") }
        return try readStrings(storedAs: stored, count: count, operation: "read", maximumBytes: try file.size()) { memory, buffer in
            H5Dread(id, memory, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), buffer)
        }
    }
}

import CHDF5
import Foundation

extension HDF5Dataset {
    /// Where the elements of a 1-D, contiguous, unfiltered dataset of `type` lie in the file: a byte offset and
    /// an element count, for reading them in place through a memory map. A dataset with no elements has offset 0.
    ///
    /// - Throws: ``HDF5Error`` of kind `.unsupported` when the dataset is not 1-D, not of `type` (little-endian),
    ///   chunked or compressed, or does not lie inside the file.
    package func contiguousExtent(of type: HDF5ElementType) throws -> (offset: Int, count: Int) {
        let shape = try shape()
        guard shape.count == 1 else { throw failure(.unsupported, "map", "expected a 1-D dataset, found shape \(shape)") }
        let stored = H5Dget_type(id)
        guard stored >= 0 else { throw failure("read type") }
        defer { H5Tclose(stored) }
        let matches = H5Tget_class(stored) == H5T_INTEGER && H5Tget_size(stored) == type.byteSize
            && (H5Tget_sign(stored) != H5T_SGN_NONE) == type.isSigned && (type.byteSize == 1 || H5Tget_order(stored) == H5T_ORDER_LE)
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
    package func readStrings() throws -> [String] {
        let count = try shape().reduce(1, *)
        let stored = H5Dget_type(id)
        guard stored >= 0 else { throw failure("read type") }
        defer { H5Tclose(stored) }
        guard H5Tget_class(stored) == H5T_STRING else { throw failure(.unsupported, "read", "expected strings, found \(try typeName())") }
        guard count > 0 else { return [] }
        if H5Tis_variable_str(stored) > 0 {
            let memory = HDF5Object.variableStringType(cset: H5Tget_cset(stored))
            defer { H5Tclose(memory) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Dread(id, memory, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), &pointers) >= 0 else { throw failure("read") }
            defer { pointers.forEach { if let p = $0 { H5free_memory(p) } } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(stored)
        guard size > 0, let width = Int(exactly: size) else { throw failure("read") }
        try checkStringsFit(width * count)
        let memory = H5Tcopy(volt_H5T_C_S1())
        defer { H5Tclose(memory) }
        H5Tset_size(memory, size)
        H5Tset_cset(memory, H5Tget_cset(stored))
        H5Tset_strpad(memory, H5T_STR_NULLPAD)
        var bytes = [UInt8](repeating: 0, count: width * count)
        guard H5Dread(id, memory, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), &bytes) >= 0 else { throw failure("read") }
        let spacePadded = H5Tget_strpad(stored) == H5T_STR_SPACEPAD
        return (0..<count).map { i in
            var field = bytes[(i * width)..<((i + 1) * width)].prefix { $0 != 0 }
            if spacePadded { while field.last == 0x20 { field.removeLast() } }
            return String(decoding: field, as: UTF8.self)
        }
    }

    private func checkStringsFit(_ bytes: Int) throws {
        let fileBytes = try file.size()
        guard bytes <= fileBytes else {
            throw failure(.unsupported, "read", "\(bytes) bytes of strings cannot come from a file of \(fileBytes) bytes")
        }
    }
}

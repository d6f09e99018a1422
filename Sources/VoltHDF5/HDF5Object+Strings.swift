import CHDF5
import Foundation

extension HDF5Object {
    /// `count` strings stored as `type`, variable-length or fixed-length (NUL- or space-padded), read by `read`
    /// (`H5Dread` or `H5Aread` of this object) into a buffer laid out as the memory type it is given.
    ///
    /// - Parameter maximumBytes: fixed-length strings taking more bytes than this in all are refused before
    ///   anything is allocated for them.
    func readStrings(storedAs type: hid_t, count: Int, operation: String, maximumBytes: Int? = nil,
                     read: (_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        guard count > 0 else { return [] }
        if H5Tis_variable_str(type) > 0 {
            let memory = Self.variableStringType(cset: H5Tget_cset(type))
            defer { H5Tclose(memory) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard pointers.withUnsafeMutableBytes({ $0.baseAddress.map { read(memory, $0) } ?? -1 }) >= 0 else { throw failure(operation) }
            defer { pointers.forEach { if let p = $0 { H5free_memory(p) } } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(type)
        guard size > 0, let width = Int(exactly: size) else { throw failure(operation) }
        if let maximumBytes, width * count > maximumBytes {
            throw failure(.unsupported, operation, "\(width * count) bytes of strings cannot come from a file of \(maximumBytes) bytes")
        }
        let memory = H5Tcopy(volt_H5T_C_S1())
        defer { H5Tclose(memory) }
        H5Tset_size(memory, size)
        H5Tset_cset(memory, H5Tget_cset(type))
        H5Tset_strpad(memory, H5T_STR_NULLPAD)
        var bytes = [UInt8](repeating: 0, count: width * count)
        guard bytes.withUnsafeMutableBytes({ $0.baseAddress.map { read(memory, $0) } ?? -1 }) >= 0 else { throw failure(operation) }
        let spacePadded = H5Tget_strpad(type) == H5T_STR_SPACEPAD
        return (0..<count).map { i in
            var field = bytes[(i * width)..<((i + 1) * width)].prefix { $0 != 0 }
            if spacePadded { while field.last == 0x20 { field.removeLast() } }
            return String(decoding: field, as: UTF8.self)
        }
    }

    /// A variable-length string type (UTF-8 unless told otherwise); the caller closes it.
    static func variableStringType(cset: H5T_cset_t = H5T_CSET_UTF8) -> hid_t {
        let type = H5Tcopy(volt_H5T_C_S1())
        H5Tset_size(type, volt_H5T_VARIABLE())
        H5Tset_cset(type, cset)
        return type
    }
}

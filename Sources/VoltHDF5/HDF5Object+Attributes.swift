import CHDF5
import Foundation

extension HDF5Object {
    /// Sets attribute `name`, replacing one that exists.
    ///
    /// Strings are stored as variable-length UTF-8, integers as little-endian `int64`, doubles as `float64`.
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue) throws {
        let exists = H5Aexists(id, name)
        guard exists >= 0 else { throw failure("check attribute \(name)") }
        if exists > 0, H5Adelete(id, name) < 0 { throw failure("replace attribute \(name)") }
        switch value {
        case let .string(s): try writeStrings(name, [s], scalar: true)
        case let .strings(a): try writeStrings(name, a, scalar: false)
        case let .int(v): try writeNumbers(name, [v], scalar: true, fileType: volt_H5T_STD_I64LE(), memoryType: volt_H5T_NATIVE_INT64())
        case let .ints(a): try writeNumbers(name, a, scalar: false, fileType: volt_H5T_STD_I64LE(), memoryType: volt_H5T_NATIVE_INT64())
        case let .double(v): try writeNumbers(name, [v], scalar: true, fileType: volt_H5T_IEEE_F64LE(), memoryType: volt_H5T_NATIVE_DOUBLE())
        case let .doubles(a): try writeNumbers(name, a, scalar: false, fileType: volt_H5T_IEEE_F64LE(), memoryType: volt_H5T_NATIVE_DOUBLE())
        }
    }

    /// Whether attribute `name` exists.
    public func hasAttribute(_ name: String) throws -> Bool {
        let exists = H5Aexists(id, name)
        guard exists >= 0 else { throw failure("check attribute \(name)") }
        return exists > 0
    }

    /// Attribute `name`, or `nil` when there is none.
    ///
    /// - Throws: ``HDF5Error`` of kind `.unsupported` for types other than strings, integers and floats, or for
    ///   arrays of more than one dimension.
    public func attribute(_ name: String) throws -> HDF5AttributeValue? {
        guard try hasAttribute(name) else { return nil }
        let attr = H5Aopen(id, name, volt_H5P_DEFAULT())
        guard attr >= 0 else { throw failure("open attribute \(name)") }
        defer { H5Aclose(attr) }
        let type = H5Aget_type(attr), space = H5Aget_space(attr)
        defer { H5Tclose(type); H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space), points = H5Sget_simple_extent_npoints(space)
        guard type >= 0, rank >= 0, points >= 0, let count = Int(exactly: points) else {
            throw failure("read attribute \(name)")
        }
        guard rank <= 1 else { throw failure(.unsupported, "read attribute \(name)", "\(rank)-dimensional attributes are not read") }
        let scalar = rank == 0
        switch H5Tget_class(type) {
        case H5T_STRING:
            let values = try readStrings(storedAs: type, count: count, operation: "read attribute \(name)") { H5Aread(attr, $0, $1) }
            return scalar ? .string(values.first ?? "") : .strings(values)
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            guard count == 0 || H5Aread(attr, volt_H5T_NATIVE_INT64(), &values) >= 0 else { throw failure("read attribute \(name)") }
            return scalar ? .int(values.first ?? 0) : .ints(values)
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: count)
            guard count == 0 || H5Aread(attr, volt_H5T_NATIVE_DOUBLE(), &values) >= 0 else { throw failure("read attribute \(name)") }
            return scalar ? .double(values.first ?? 0) : .doubles(values)
        default:
            throw failure(.unsupported, "read attribute \(name)", "only string, integer and float attributes are read")
        }
    }

    /// Names of the attributes, in creation order where the object tracks it, else alphabetically.
    public func attributeNames() throws -> [String] {
        final class Names { var list: [String] = [] }
        func collect(_ index: H5_index_t) -> (Int32, [String]) {
            let names = Names()
            let status = withExtendedLifetime(names) {
                H5Aiterate2(id, index, H5_ITER_INC, nil, { _, name, _, data in
                    guard let name, let data else { return -1 }
                    Unmanaged<Names>.fromOpaque(data).takeUnretainedValue().list.append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(names).toOpaque())
            }
            return (status, names.list)
        }
        let (ordered, names) = collect(H5_INDEX_CRT_ORDER)
        if ordered >= 0 { return names }
        let (alphabetical, sorted) = collect(H5_INDEX_NAME)
        guard alphabetical >= 0 else { throw failure("list attributes") }
        return sorted
    }

    private func createAttribute(_ name: String, type: hid_t, count: Int?, write: (hid_t) -> herr_t) throws {
        var dims = [hsize_t(count ?? 1)]
        let space = count == nil ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
        guard space >= 0 else { throw failure("create attribute \(name)") }
        defer { H5Sclose(space) }
        let attr = H5Acreate2(id, name, type, space, volt_H5P_DEFAULT(), volt_H5P_DEFAULT())
        guard attr >= 0 else { throw failure("create attribute \(name)") }
        defer { H5Aclose(attr) }
        guard write(attr) >= 0 else { throw failure("write attribute \(name)") }
    }

    private func writeNumbers<T>(_ name: String, _ values: [T], scalar: Bool, fileType: hid_t, memoryType: hid_t) throws {
        try createAttribute(name, type: fileType, count: scalar ? nil : values.count) { attr in
            values.isEmpty ? 0 : values.withUnsafeBytes { H5Awrite(attr, memoryType, $0.baseAddress) }
        }
    }

    private func writeStrings(_ name: String, _ values: [String], scalar: Bool) throws {
        let type = Self.variableStringType()
        defer { H5Tclose(type) }
        let cStrings = values.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let pointers = cStrings.map { UnsafePointer($0) }
        try createAttribute(name, type: type, count: scalar ? nil : values.count) { attr in
            pointers.isEmpty ? 0 : pointers.withUnsafeBufferPointer { H5Awrite(attr, type, $0.baseAddress) }
        }
    }
}

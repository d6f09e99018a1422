import CHDF5

/// A value stored as an HDF5 attribute.
enum HDF5AttributeValue: Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
}

extension HDF5File {
    /// Sets a UTF-8 string attribute (variable length, so h5py reads a `str`).
    func setAttribute(_ name: String, _ value: String, on object: String = "/") throws {
        let type = H5Tcopy(volt_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, volt_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        try value.withCString { cString in
            var pointer: UnsafePointer<CChar>? = cString
            try writeAttribute(name, type: type, memoryType: type, on: object) { H5Awrite($0, type, &pointer) }
        }
    }

    /// Sets a 64-bit integer attribute.
    func setAttribute(_ name: String, _ value: Int64, on object: String = "/") throws {
        var v = value
        try writeAttribute(name, type: volt_H5T_STD_I64LE(), memoryType: volt_H5T_NATIVE_INT64(), on: object) {
            H5Awrite($0, volt_H5T_NATIVE_INT64(), &v)
        }
    }

    /// Sets a double attribute.
    func setAttribute(_ name: String, _ value: Double, on object: String = "/") throws {
        var v = value
        try writeAttribute(name, type: volt_H5T_IEEE_F64LE(), memoryType: volt_H5T_NATIVE_DOUBLE(), on: object) {
            H5Awrite($0, volt_H5T_NATIVE_DOUBLE(), &v)
        }
    }

    private func writeAttribute(_ name: String, type: hid_t, memoryType: hid_t, on object: String,
                                _ write: (hid_t) -> herr_t) throws {
        let o = H5Oopen(fileID, object, volt_H5P_DEFAULT())
        guard o >= 0 else { throw CheckpointError.cannotWrite(path: path, reason: "no object \(object) for attribute \(name)") }
        defer { H5Oclose(o) }
        if H5Aexists(o, name) > 0 { H5Adelete(o, name) }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let a = H5Acreate2(o, name, type, space, volt_H5P_DEFAULT(), volt_H5P_DEFAULT())
        guard a >= 0 else { throw CheckpointError.cannotWrite(path: path, reason: "cannot create attribute \(object)@\(name)") }
        defer { H5Aclose(a) }
        guard write(a) >= 0 else { throw CheckpointError.cannotWrite(path: path, reason: "cannot write attribute \(object)@\(name)") }
    }

    /// The attribute `name` of `object`, or `nil` when absent.
    func attribute(_ name: String, on object: String = "/") throws -> HDF5AttributeValue? {
        let o = H5Oopen(fileID, object, volt_H5P_DEFAULT())
        guard o >= 0 else { return nil }
        defer { H5Oclose(o) }
        guard H5Aexists(o, name) > 0 else { return nil }
        let a = H5Aopen(o, name, volt_H5P_DEFAULT())
        guard a >= 0 else { throw CheckpointError.unreadable(path: path, reason: "cannot open attribute \(object)@\(name)") }
        defer { H5Aclose(a) }
        let type = H5Aget_type(a)
        defer { H5Tclose(type) }
        switch H5Tget_class(type) {
        case H5T_STRING:
            if H5Tis_variable_str(type) > 0 {
                var pointer: UnsafeMutablePointer<CChar>?
                let memoryType = H5Tcopy(volt_H5T_C_S1())
                defer { H5Tclose(memoryType) }
                H5Tset_size(memoryType, volt_H5T_VARIABLE())
                H5Tset_cset(memoryType, H5Tget_cset(type))
                guard H5Aread(a, memoryType, &pointer) >= 0, let pointer else {
                    throw CheckpointError.unreadable(path: path, reason: "cannot read attribute \(object)@\(name)")
                }
                defer { H5free_memory(pointer) }
                return .string(String(cString: pointer))
            }
            let size = H5Tget_size(type)
            var buffer = [CChar](repeating: 0, count: size + 1)
            guard H5Aread(a, type, &buffer) >= 0 else {
                throw CheckpointError.unreadable(path: path, reason: "cannot read attribute \(object)@\(name)")
            }
            return .string(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        case H5T_INTEGER:
            var v: Int64 = 0
            guard H5Aread(a, volt_H5T_NATIVE_INT64(), &v) >= 0 else {
                throw CheckpointError.unreadable(path: path, reason: "cannot read attribute \(object)@\(name)")
            }
            return .int(v)
        case H5T_FLOAT:
            var v = 0.0
            guard H5Aread(a, volt_H5T_NATIVE_DOUBLE(), &v) >= 0 else {
                throw CheckpointError.unreadable(path: path, reason: "cannot read attribute \(object)@\(name)")
            }
            return .double(v)
        default:
            return nil
        }
    }

    func attributeString(_ name: String, on object: String = "/") throws -> String? {
        if case let .string(s)? = try attribute(name, on: object) { return s }
        return nil
    }

    func attributeInt(_ name: String, on object: String = "/") throws -> Int? {
        switch try attribute(name, on: object) {
        case let .int(v)?: Int(v)
        case let .double(v)?: Int(v)
        default: nil
        }
    }

    func attributeDouble(_ name: String, on object: String = "/") throws -> Double? {
        switch try attribute(name, on: object) {
        case let .int(v)?: Double(v)
        case let .double(v)?: v
        default: nil
        }
    }

    /// Names of `object`'s attributes, alphabetically.
    func attributeNames(on object: String = "/") -> [String] {
        let o = H5Oopen(fileID, object, volt_H5P_DEFAULT())
        guard o >= 0 else { return [] }
        defer { H5Oclose(o) }
        var names: [String] = []
        var index: hsize_t = 0
        while true {
            let size = H5Aget_name_by_idx(o, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, volt_H5P_DEFAULT())
            guard size >= 0 else { break }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            H5Aget_name_by_idx(o, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, volt_H5P_DEFAULT())
            names.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            index += 1
        }
        return names
    }
}

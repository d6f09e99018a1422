import CHDF5
import Foundation

extension HDF5Group {
    /// Writes `bytes` (elements of `type`, in native little-endian order) as a 1-D dataset `name` with
    /// contiguous layout and no filters, so its elements sit in the file in order and can be memory-mapped
    /// (``HDF5Dataset/contiguousExtent(of:)``). h5py and every HDF5 tool read it as an ordinary array.
    public func createContiguousDataset(_ name: String, type: HDF5ElementType, bytes: UnsafeRawBufferPointer) throws -> HDF5Dataset {
        guard !name.isEmpty, !name.contains("/") else {
            throw failure(.failed, "create", "\"\(name)\" is not a valid HDF5 link name", object: childPath(name))
        }
        let count = bytes.count / type.byteSize
        var dims = [hsize_t(count)]
        let space = H5Screate_simple(1, &dims, nil)
        guard space >= 0 else { throw failure("create dataspace", object: childPath(name)) }
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(volt_H5P_DATASET_CREATE())
        defer { H5Pclose(dcpl) }
        guard H5Pset_layout(dcpl, H5D_CONTIGUOUS) >= 0, H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0 else {
            throw failure("set layout", object: childPath(name))
        }
        let did = H5Dcreate2(id, name, type.fileType, space, volt_H5P_DEFAULT(), dcpl, volt_H5P_DEFAULT())
        guard did >= 0 else { throw failure("create dataset", object: childPath(name)) }
        let dataset = HDF5Dataset(file: file, id: did, path: childPath(name))
        if count > 0 {
            guard H5Dwrite(did, type.memoryType, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), bytes.baseAddress) >= 0 else {
                throw failure("write dataset", object: childPath(name))
            }
        }
        return dataset
    }

    /// Writes `strings` as a 1-D dataset `name`: variable-length UTF-8 strings, or, with `fixedLength`, ASCII
    /// strings of exactly that many bytes each (NUL-padded; longer ones are an error).
    public func createStringDataset(_ name: String, strings: [String], fixedLength: Int? = nil) throws -> HDF5Dataset {
        guard !name.isEmpty, !name.contains("/") else {
            throw failure(.failed, "create", "\"\(name)\" is not a valid HDF5 link name", object: childPath(name))
        }
        var dims = [hsize_t(strings.count)]
        let space = H5Screate_simple(1, &dims, nil)
        guard space >= 0 else { throw failure("create dataspace", object: childPath(name)) }
        defer { H5Sclose(space) }
        let type: hid_t
        if let fixedLength {
            type = H5Tcopy(volt_H5T_C_S1())
            H5Tset_size(type, fixedLength)
            H5Tset_strpad(type, H5T_STR_NULLPAD)
            H5Tset_cset(type, H5T_CSET_ASCII)
        } else {
            type = HDF5Object.variableStringType()
        }
        defer { H5Tclose(type) }
        let did = H5Dcreate2(id, name, type, space, volt_H5P_DEFAULT(), volt_H5P_DEFAULT(), volt_H5P_DEFAULT())
        guard did >= 0 else { throw failure("create dataset", object: childPath(name)) }
        let dataset = HDF5Dataset(file: file, id: did, path: childPath(name))
        guard !strings.isEmpty else { return dataset }
        let status: herr_t
        if let fixedLength {
            var bytes = [UInt8](repeating: 0, count: fixedLength * strings.count)
            for (i, s) in strings.enumerated() {
                let utf8 = Array(s.utf8)
                guard utf8.count <= fixedLength else {
                    throw failure(.failed, "write dataset", "string \(i) has \(utf8.count) bytes, more than \(fixedLength)", object: childPath(name))
                }
                bytes.replaceSubrange((i * fixedLength)..<(i * fixedLength + utf8.count), with: utf8)
            }
            status = H5Dwrite(did, type, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), bytes)
        } else {
            let cStrings = strings.map { strdup($0) }
            defer { cStrings.forEach { free($0) } }
            let pointers = cStrings.map { UnsafePointer($0) }
            status = pointers.withUnsafeBufferPointer { H5Dwrite(did, type, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), $0.baseAddress) }
        }
        guard status >= 0 else { throw failure("write dataset", object: childPath(name)) }
        return dataset
    }
}

import CHDF5
import Foundation

/// A member of a group: a subgroup or a dataset.
public enum HDF5Member {
    /// A group.
    case group(HDF5Group)
    /// A dataset.
    case dataset(HDF5Dataset)
}

/// A group of an open HDF5 file (the root `/` included).
///
/// Names passed to a group's methods are single link names: they may hold dots, braces and `=`, but not `/`
/// (escape it first; see `Checkpoint`'s layout).
public final class HDF5Group: HDF5Object {
    /// Largest chunk written, in bytes. HDF5 caps chunks at 4 GiB; a few MiB keeps the Fletcher32 pass and
    /// partial reads cheap while a weight matrix still takes only a handful of chunks.
    public static let maximumChunkBytes = 16 << 20

    /// Creates subgroup `name`, tracking the creation order of its links and attributes.
    public func createGroup(_ name: String) throws -> HDF5Group {
        try checkName(name)
        let gcpl = H5Pcreate(volt_H5P_GROUP_CREATE())
        defer { H5Pclose(gcpl) }
        HDF5File.trackCreationOrder(gcpl)
        let gid = H5Gcreate2(id, name, volt_H5P_DEFAULT(), gcpl, volt_H5P_DEFAULT())
        guard gid >= 0 else { throw failure("create group", object: childPath(name)) }
        return HDF5Group(file: file, id: gid, path: childPath(name))
    }

    /// Whether a link called `name` exists in this group.
    public func contains(_ name: String) throws -> Bool {
        guard !name.isEmpty, !name.contains("/") else { return false }
        let exists = H5Lexists(id, name, volt_H5P_DEFAULT())
        guard exists >= 0 else { throw failure("look up", object: childPath(name)) }
        return exists > 0
    }

    /// The subgroup or dataset `name`.
    ///
    /// - Throws: ``HDF5Error`` of kind `.notFound` when there is no such member.
    public func member(_ name: String) throws -> HDF5Member {
        guard try contains(name) else { throw failure(.notFound, "open", "no such object", object: childPath(name)) }
        let oid = H5Oopen(id, name, volt_H5P_DEFAULT())
        guard oid >= 0 else { throw failure("open", object: childPath(name)) }
        switch H5Iget_type(oid) {
        case H5I_GROUP: return .group(HDF5Group(file: file, id: oid, path: childPath(name)))
        case H5I_DATASET: return .dataset(HDF5Dataset(file: file, id: oid, path: childPath(name)))
        default:
            H5Oclose(oid)
            throw failure(.unsupported, "open", "neither a group nor a dataset", object: childPath(name))
        }
    }

    /// Subgroup `name`.
    public func group(_ name: String) throws -> HDF5Group {
        guard case let .group(g) = try member(name) else {
            throw failure(.unsupported, "open group", "is a dataset, not a group", object: childPath(name))
        }
        return g
    }

    /// Dataset `name`.
    public func dataset(_ name: String) throws -> HDF5Dataset {
        guard case let .dataset(d) = try member(name) else {
            throw failure(.unsupported, "open dataset", "is a group, not a dataset", object: childPath(name))
        }
        return d
    }

    /// Names of the members, in creation order where the group tracks it (every group Volt writes),
    /// else alphabetically.
    public func memberNames() throws -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw failure("list members") }
        let index = try tracksCreationOrder() ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
        return try (0..<info.nlinks).map { i in
            let size = H5Lget_name_by_idx(id, ".", index, H5_ITER_INC, i, nil, 0, volt_H5P_DEFAULT())
            guard size >= 0, let length = Int(exactly: size) else { throw failure("list members") }
            var buffer = [CChar](repeating: 0, count: length + 1)
            guard H5Lget_name_by_idx(id, ".", index, H5_ITER_INC, i, &buffer, buffer.count, volt_H5P_DEFAULT()) >= 0 else {
                throw failure("list members")
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    private func tracksCreationOrder() throws -> Bool {
        let gcpl = H5Gget_create_plist(id)
        guard gcpl >= 0 else { throw failure("read group properties") }
        defer { H5Pclose(gcpl) }
        var flags: UInt32 = 0
        guard H5Pget_link_creation_order(gcpl, &flags) >= 0 else { throw failure("read group properties") }
        return flags & UInt32(H5P_CRT_ORDER_INDEXED) != 0
    }

    // MARK: Writing datasets

    /// Writes `bytes`, elements of `type` in row-major order, as dataset `name` of `shape` (`[]` for a scalar),
    /// stored little-endian. A dataset with elements and dimensions is chunked (leading axes halved down to
    /// ``maximumChunkBytes``) with the Fletcher32 checksum filter, so damaged data fails to read; a scalar or
    /// empty one is stored compact, inside its checksummed object header.
    ///
    /// - Throws: ``HDF5Error`` of kind `.failed` when `bytes` does not hold exactly `shape`'s elements, when
    ///   `name` is not a valid link name or already exists.
    public func createDataset(_ name: String, shape: [Int], type: HDF5ElementType, bytes: UnsafeRawBufferPointer) throws -> HDF5Dataset {
        let count = shape.reduce(1, *)
        guard count * type.byteSize == bytes.count else {
            throw failure(.failed, "create dataset", "\(bytes.count) bytes are not \(count) elements of \(type)", object: childPath(name))
        }
        return try createDataset(name, shape: shape, fileType: type.fileType, memoryType: type.memoryType,
                                 elementBytes: type.byteSize, data: bytes.baseAddress)
    }

    /// Writes `words` as a 1-D dataset `name` of `STD_U64LE`.
    public func createDataset(_ name: String, words: [UInt64]) throws -> HDF5Dataset {
        try words.withUnsafeBytes { try createDataset(name, shape: [words.count], type: .uint64, bytes: $0) }
    }

    /// Writes `values` as a 1-D dataset `name` of `STD_I64LE`.
    public func createDataset(_ name: String, int64s values: [Int64]) throws -> HDF5Dataset {
        try values.withUnsafeBytes { try createDataset(name, shape: [values.count], type: .int64, bytes: $0) }
    }

    /// Writes `strings` as a 1-D dataset `name` of variable-length UTF-8 strings (h5py reads them as `str`
    /// through `.asstr()`, or as `bytes`). HDF5 filters cannot apply to variable-length data, so the dataset is
    /// contiguous, without the Fletcher32 checksum (its object header is still checksummed).
    public func createDataset(_ name: String, strings: [String]) throws -> HDF5Dataset {
        let type = Self.variableStringType()
        defer { H5Tclose(type) }
        let cStrings = strings.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let pointers = cStrings.map { UnsafePointer($0) }
        return try pointers.withUnsafeBytes { bytes in
            try createDataset(name, shape: [strings.count], fileType: type, memoryType: type,
                              elementBytes: MemoryLayout<UnsafePointer<CChar>>.size, data: bytes.baseAddress, checksummed: false)
        }
    }

    /// Creates and fills a dataset.
    ///
    /// Datasets with at least one element and one dimension are chunked (the whole dataset, split along leading
    /// axes down to ``maximumChunkBytes``) with the Fletcher32 filter, so damaged data fails to read. A rank-0
    /// (scalar) or zero-element dataset cannot be chunked: it is stored compact, inside its object header,
    /// which the 1.8+ format checksums as well. Without `checksummed` (variable-length data, which filters cannot
    /// handle) the dataset is stored contiguous.
    private func createDataset(_ name: String, shape: [Int], fileType: hid_t, memoryType: hid_t, elementBytes: Int,
                               data: UnsafeRawPointer?, checksummed: Bool = true) throws -> HDF5Dataset {
        try checkName(name)
        var dims = shape.map { hsize_t($0) }
        let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), &dims, nil)
        guard space >= 0 else { throw failure("create dataspace", object: childPath(name)) }
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(volt_H5P_DATASET_CREATE())
        defer { H5Pclose(dcpl) }
        let count = shape.reduce(1, *)
        if shape.isEmpty || count == 0 {
            guard H5Pset_layout(dcpl, H5D_COMPACT) >= 0 else { throw failure("set layout", object: childPath(name)) }
        } else if checksummed {
            var chunk = Self.chunkShape(shape, elementBytes: elementBytes).map { hsize_t($0) }
            guard H5Pset_chunk(dcpl, Int32(chunk.count), &chunk) >= 0, H5Pset_fletcher32(dcpl) >= 0 else {
                throw failure("set chunking", object: childPath(name))
            }
        }
        let did = H5Dcreate2(id, name, fileType, space, volt_H5P_DEFAULT(), dcpl, volt_H5P_DEFAULT())
        guard did >= 0 else { throw failure("create dataset", object: childPath(name)) }
        let dataset = HDF5Dataset(file: file, id: did, path: childPath(name))
        if count > 0 {
            guard H5Dwrite(did, memoryType, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), data) >= 0 else {
                throw failure("write dataset", object: childPath(name))
            }
        }
        return dataset
    }

    /// The chunk for a dataset of `shape`: the whole of it, with leading axes halved until it fits
    /// ``maximumChunkBytes``.
    public static func chunkShape(_ shape: [Int], elementBytes: Int) -> [Int] {
        var chunk = shape.map { Swift.max($0, 1) }
        var axis = 0
        while axis < chunk.count, chunk.reduce(elementBytes, *) > maximumChunkBytes {
            if chunk[axis] > 1 { chunk[axis] = (chunk[axis] + 1) / 2 } else { axis += 1 }
        }
        return chunk
    }

    private func checkName(_ name: String) throws {
        guard !name.isEmpty, name != ".", !name.contains("/") else {
            throw failure(.failed, "create", "\"\(name)\" is not a valid HDF5 link name (empty, \".\" or containing \"/\")",
                          object: childPath(name))
        }
    }
}

import CHDF5
import Foundation
import VoltTensor

/// A small owner of one open HDF5 file: groups, chunked Fletcher32-checked datasets from tensors, and
/// attributes (UTF-8 strings, 64-bit integers, doubles). Paths are absolute within the file (`/state_dict/x`).
final class HDF5File {
    let path: String
    let fileID: hid_t

    private init(path: String, id: hid_t) {
        self.path = path
        self.fileID = id
    }

    /// Creates (or truncates) `path`.
    static func create(_ path: String) throws -> HDF5File {
        volt_H5_silence_errors()
        let fcpl = H5Pcreate(volt_H5P_FILE_CREATE())
        defer { H5Pclose(fcpl) }
        H5Pset_link_creation_order(fcpl, volt_H5P_CRT_ORDER_TRACKED_INDEXED())
        let id = H5Fcreate(path, volt_H5F_ACC_TRUNC(), fcpl, volt_H5P_DEFAULT())
        guard id >= 0 else { throw CheckpointError.cannotWrite(path: path, reason: "HDF5 could not create the file") }
        return HDF5File(path: path, id: id)
    }

    /// Opens `path` read-only.
    static func open(_ path: String) throws -> HDF5File {
        volt_H5_silence_errors()
        guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError.notFound(path: path) }
        guard H5Fis_hdf5(path) > 0 else { throw CheckpointError.unreadable(path: path, reason: "truncated or not an HDF5 file") }
        let id = H5Fopen(path, volt_H5F_ACC_RDONLY(), volt_H5P_DEFAULT())
        guard id >= 0 else { throw CheckpointError.unreadable(path: path, reason: "truncated or not an HDF5 file") }
        return HDF5File(path: path, id: id)
    }

    /// Flushes and closes the file (also done on deinit).
    func close() throws {
        guard !closed else { return }
        closed = true
        if H5Fclose(fileID) < 0 { throw CheckpointError.cannotWrite(path: path, reason: "HDF5 could not close the file") }
    }
    private var closed = false

    deinit { if !closed { H5Fclose(fileID) } }

    // MARK: Groups

    /// Creates the group at `object` (and its parents), tracking creation order so members list in write order.
    func createGroup(_ object: String) throws {
        guard !exists(object) else { return }
        let lcpl = H5Pcreate(volt_H5P_LINK_CREATE()), gcpl = H5Pcreate(volt_H5P_GROUP_CREATE())
        defer { H5Pclose(lcpl); H5Pclose(gcpl) }
        H5Pset_create_intermediate_group(lcpl, 1)
        H5Pset_link_creation_order(gcpl, volt_H5P_CRT_ORDER_TRACKED_INDEXED())
        let g = H5Gcreate2(fileID, object, lcpl, gcpl, volt_H5P_DEFAULT())
        guard g >= 0 else { throw CheckpointError.cannotWrite(path: path, reason: "cannot create group \(object)") }
        H5Gclose(g)
    }

    /// Whether every link along `object` exists.
    func exists(_ object: String) -> Bool {
        var prefix = ""
        for part in object.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(fileID, prefix, volt_H5P_DEFAULT()) <= 0 { return false }
        }
        return true
    }

    /// Member names of a group, in creation order (alphabetical for groups written without order tracking).
    func members(_ group: String) throws -> [String] {
        let g = H5Gopen2(fileID, group, volt_H5P_DEFAULT())
        guard g >= 0 else { throw CheckpointError.unreadable(path: path, reason: "missing group \(group)") }
        defer { H5Gclose(g) }
        var info = H5G_info_t()
        H5Gget_info(g, &info)
        let index = info.max_corder > 0 || info.nlinks == 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
        return (0..<info.nlinks).compactMap { i in
            let size = H5Lget_name_by_idx(g, ".", index, H5_ITER_INC, i, nil, 0, volt_H5P_DEFAULT())
            guard size >= 0 else {
                let fallback = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, volt_H5P_DEFAULT())
                guard fallback >= 0 else { return nil }
                var buffer = [CChar](repeating: 0, count: Int(fallback) + 1)
                H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, volt_H5P_DEFAULT())
                return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            H5Lget_name_by_idx(g, ".", index, H5_ITER_INC, i, &buffer, buffer.count, volt_H5P_DEFAULT())
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Whether `object` is a group (false for datasets).
    func isGroup(_ object: String) -> Bool {
        let o = H5Oopen(fileID, object, volt_H5P_DEFAULT())
        guard o >= 0 else { return false }
        defer { H5Oclose(o) }
        return H5Iget_type(o) == H5I_GROUP
    }

    // MARK: Datasets

    /// Writes `tensor` at `object` (parents created), chunked with the Fletcher32 checksum filter.
    func write(_ tensor: Tensor, at object: String) throws {
        let t = tensor.contiguous()
        let dims: [hsize_t] = t.shape.isEmpty ? [1] : t.shape.map { hsize_t($0) }
        let (fileType, memoryType): (hid_t, hid_t) = switch t.dtype {
        case .float32: (volt_H5T_IEEE_F32LE(), volt_H5T_NATIVE_FLOAT())
        case .int32: (volt_H5T_STD_I32LE(), volt_H5T_NATIVE_INT32())
        case .float16, .bfloat16: (volt_H5T_STD_U16LE(), volt_H5T_NATIVE_UINT16())
        }
        try writeRaw(t.rawPointer, dims: dims, fileType: fileType, memoryType: memoryType, at: object)
        if t.dtype == .float16 || t.dtype == .bfloat16 { try setAttribute("dtype", t.dtype.rawValue, on: object) }
        if t.shape.isEmpty { try setAttribute("scalar", Int64(1), on: object) }
    }

    /// Writes 64-bit unsigned words at `object`.
    func write(_ words: [UInt64], at object: String) throws {
        var values = words
        try values.withUnsafeMutableBytes { buffer in
            try writeRaw(buffer.baseAddress!, dims: [hsize_t(words.count)], fileType: volt_H5T_STD_U64LE(),
                         memoryType: volt_H5T_NATIVE_UINT64(), at: object)
        }
    }

    private func writeRaw(_ data: UnsafeRawPointer, dims: [hsize_t], fileType: hid_t, memoryType: hid_t, at object: String) throws {
        if let parent = object.split(separator: "/").dropLast().joined(separator: "/") as String?, !parent.isEmpty {
            try createGroup("/" + parent)
        }
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(volt_H5P_DATASET_CREATE())
        defer { H5Pclose(dcpl) }
        let elementBytes = Int(H5Tget_size(fileType))
        if dims.allSatisfy({ $0 > 0 }) {
            // Whole tensor as one chunk, cut along the first axis to stay well under HDF5's 4 GiB chunk limit.
            var chunk = dims
            let rowBytes = dims.dropFirst().reduce(elementBytes) { $0 * Int($1) }
            chunk[0] = hsize_t(max(1, min(Int(dims[0]), (64 << 20) / max(rowBytes, 1))))
            H5Pset_chunk(dcpl, Int32(chunk.count), chunk)
            H5Pset_fletcher32(dcpl)
        }
        let d = H5Dcreate2(fileID, object, fileType, space, volt_H5P_DEFAULT(), dcpl, volt_H5P_DEFAULT())
        guard d >= 0 else { throw CheckpointError.cannotWrite(path: path, reason: "cannot create dataset \(object)") }
        defer { H5Dclose(d) }
        guard H5Dwrite(d, memoryType, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), data) >= 0 else {
            throw CheckpointError.cannotWrite(path: path, reason: "cannot write dataset \(object)")
        }
    }

    /// Reads the dataset at `object` as a tensor (half-precision datasets come back in their dtype).
    func readTensor(_ object: String) throws -> Tensor {
        let d = try openDataset(object)
        defer { H5Dclose(d) }
        let shape = try datasetShape(d, object)
        let type = H5Dget_type(d)
        defer { H5Tclose(type) }
        let isScalar = try attributeInt("scalar", on: object) == 1
        let dtype: DType
        if H5Tget_class(type) == H5T_FLOAT { dtype = .float32 }
        else if H5Tget_size(type) == 2 { dtype = DType(rawValue: try attributeString("dtype", on: object) ?? "") ?? .bfloat16 }
        else if H5Tget_size(type) == 4 { dtype = .int32 }
        else { throw CheckpointError.unreadable(path: path, reason: "\(object) has an unsupported element type") }
        let tensor = Tensor(uninitializedShape: isScalar ? [] : shape, dtype: dtype)
        let memoryType: hid_t = switch dtype {
        case .float32: volt_H5T_NATIVE_FLOAT()
        case .int32: volt_H5T_NATIVE_INT32()
        case .float16, .bfloat16: volt_H5T_NATIVE_UINT16()
        }
        try read(d, memoryType, into: tensor.rawPointer, object)
        return tensor
    }

    /// Reads a dataset of 64-bit unsigned words.
    func readWords(_ object: String) throws -> [UInt64] {
        let d = try openDataset(object)
        defer { H5Dclose(d) }
        var words = [UInt64](repeating: 0, count: try datasetShape(d, object).reduce(1, *))
        try words.withUnsafeMutableBytes { try read(d, volt_H5T_NATIVE_UINT64(), into: $0.baseAddress!, object) }
        return words
    }

    private func openDataset(_ object: String) throws -> hid_t {
        let d = H5Dopen2(fileID, object, volt_H5P_DEFAULT())
        guard d >= 0 else { throw CheckpointError.unreadable(path: path, reason: "missing dataset \(object)") }
        return d
    }

    func datasetShape(_ d: hid_t, _ object: String) throws -> [Int] {
        let space = H5Dget_space(d)
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw CheckpointError.unreadable(path: path, reason: "bad dataspace of \(object)") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int($0) }
    }

    private func read(_ d: hid_t, _ memoryType: hid_t, into buffer: UnsafeMutableRawPointer, _ object: String) throws {
        // With the Fletcher32 filter, a damaged chunk makes H5Dread fail instead of returning wrong numbers.
        guard H5Dread(d, memoryType, volt_H5S_ALL(), volt_H5S_ALL(), volt_H5P_DEFAULT(), buffer) >= 0 else {
            throw CheckpointError.corrupt(path: path, object: object)
        }
    }

    /// Shape and element type (`float32`, `int32`, `float16`, `bfloat16`, `uint64`) of a dataset, without reading it.
    func datasetInfo(_ object: String) throws -> (shape: [Int], dtype: String) {
        let d = try openDataset(object)
        defer { H5Dclose(d) }
        let type = H5Dget_type(d)
        defer { H5Tclose(type) }
        let size = H5Tget_size(type)
        let dtype: String
        if H5Tget_class(type) == H5T_FLOAT { dtype = size == 8 ? "float64" : "float32" }
        else if size == 2 { dtype = try attributeString("dtype", on: object) ?? "uint16" }
        else if size == 8 { dtype = "uint64" }
        else { dtype = "int32" }
        return (try datasetShape(d, object), dtype)
    }

    /// File offset of a dataset's first chunk (tests use it to damage data on purpose).
    func dataOffset(_ object: String) throws -> UInt64? {
        let d = try openDataset(object)
        defer { H5Dclose(d) }
        var offset: haddr_t = 0
        var size: hsize_t = 0
        let space = H5Dget_space(d)
        defer { H5Sclose(space) }
        guard H5Dget_chunk_info(d, space, 0, nil, nil, &offset, &size) >= 0 else { return nil }
        return UInt64(offset)
    }
}

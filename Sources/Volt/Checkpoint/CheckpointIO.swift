import VoltInterop
import Foundation
import VoltHDF5
import VoltNN
import VoltTensor

// The file layout (format_version 1):
//
// /                          attrs format, format_version (int64), volt_version, created_utc, epoch, global_step,
//                            module, hparams (JSON), precision, world_size
// /state_dict/<name>         one dataset per tensor, in module order (groups track creation order)
// /optimizers/<i>/           attrs type, param_groups (JSON array of objects)
//     state/<param name>/    one group per parameter: datasets <key> (exp_avg, …) and float64 attrs <key> (step, …)
// /lr_schedulers/<i>         attrs type, state (JSON object)
// /precision                 float64 attrs: the loss scaler (loss_scale, growth_tracker; Checkpoint.lossScaler)
// /loops                     int64 attrs (epoch, batch_index, global_step, …)
// /callbacks/<key>           attr state (JSON text)
// /rng/<a>/<b>               uint64 datasets; the name "a/b" is split into groups at each "/"
// /gradients/<name>          pending gradients, in module order
//
// Strings are variable-length UTF-8. Link names other than the rng path escape "%" as "%25", "/" as "%2F" and a
// lone "." as "%2E"; transformers keys and `ModelCheckpoint{monitor=val_loss,mode=min}` are stored as they are.
extension Checkpoint {
    /// Writes the checkpoint to `path` atomically.
    ///
    /// The file is written as `<path>.tmp`, closed and fsynced, renamed onto `path`, and the directory is
    /// fsynced, so a crash leaves either the old file or the new one under `path`, never a partial one. On any
    /// failure before the rename the `.tmp` is removed and an existing file at `path` is left as it was (a
    /// failure of the final directory fsync says that the new file is already in place).
    ///
    /// - Throws: ``CheckpointError/cannotWrite(path:object:reason:)``.
    public func write(to path: String) throws {
        try hdf5Lock.withLock { try writeAtomically(to: path) }
    }

    /// Reads the checkpoint at `path`; with `weightsOnly`, only the metadata and the state dict (the other
    /// sections are left empty and their data is not read or checked). A sharded checkpoint (a folder, see
    /// ``ShardedCheckpoint``) is read whole, its shards merged.
    ///
    /// Every dataset read is verified against its Fletcher32 checksum.
    ///
    /// - Throws: ``CheckpointError``: `.notFound`, `.notHDF5` (truncated), `.notAVoltCheckpoint`,
    ///   `.unsupportedVersion`, `.checksumMismatch`, `.malformed` or `.unreadable`. Nothing is returned half-read.
    public static func read(from path: String, weightsOnly: Bool = false) throws -> Checkpoint {
        if ShardedCheckpoint.isSharded(path) { return try ShardedCheckpoint.consolidate(path, weightsOnly: weightsOnly) }
        return try hdf5Lock.withLock {
            let root = try openForReading(path)
            do {
                return try read(root, weightsOnly: weightsOnly)
            } catch let error as HDF5Error {
                throw CheckpointError(reading: path, error)
            }
        }
    }

    /// Reads only the metadata (epoch, step, hyper-parameters, …) of the checkpoint at `path`: no tensor data.
    ///
    /// - Throws: ``CheckpointError`` as ``read(from:weightsOnly:)``.
    public static func readMetadata(from path: String) throws -> CheckpointMetadata {
        try hdf5Lock.withLock {
            let root = try openForReading(path)
            do {
                try checkFormat(root)
                return try readMetadata(root)
            } catch let error as HDF5Error {
                throw CheckpointError(reading: path, error)
            }
        }
    }

    /// The root group of the HDF5 file at `path`, opened read-only.
    static func openForReading(_ path: String) throws -> HDF5Group {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError.notFound(path: path)
        }
        guard !isDirectory.boolValue else {
            let sharded = ShardedCheckpoint.isSharded(path) ? " (a sharded checkpoint: volt checkpoint consolidate merges it into one file)" : ""
            throw CheckpointError.unreadable(path: path, object: "/", reason: "is a directory" + sharded)
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CheckpointError.unreadable(path: path, object: "/", reason: "permission denied")
        }
        do {
            return try HDF5File(opening: path).root()
        } catch let error as HDF5Error {
            throw CheckpointError(reading: path, error)
        }
    }

    // MARK: Writing

    private func writeAtomically(to path: String) throws {
        try DurableFile.writeHDF5Unlocked(to: path) { try writeContents(to: $0) }
    }

    private func writeContents(to root: HDF5Group) throws {
        let m = metadata
        let attributes: [(String, HDF5AttributeValue)] = [
            ("format", .string(m.format)), ("format_version", .int(Int64(m.formatVersion))),
            ("volt_version", .string(m.voltVersion)), ("created_utc", .string(m.createdUTC)),
            ("epoch", .int(Int64(m.epoch))), ("global_step", .int(Int64(m.globalStep))), ("module", .string(m.module)),
            ("hparams", .string(m.hyperparameters.json)), ("precision", .string(m.precision.rawValue)),
            ("world_size", .int(Int64(m.worldSize))),
        ]
        for (name, value) in attributes { try root.setAttribute(name, value) }
        let weights = try root.createGroup("state_dict")
        for (name, tensor) in stateDict { _ = try weights.createDataset(CheckpointNames.escape(name), tensor: tensor) }

        let optimizerGroups = try root.createGroup("optimizers")
        let moduleOrder = Dictionary(stateDict.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
        for (index, optimizer) in optimizers.enumerated() {
            let group = try optimizerGroups.createGroup(String(index))
            try group.setAttribute("type", .string(optimizer.type))
            try group.setAttribute("param_groups", .string(try CheckpointNames.json(optimizer.groups)))
            let state = try group.createGroup("state")
            let names = Set(optimizer.tensors.keys).union(optimizer.scalars.keys).sorted {
                (moduleOrder[$0] ?? .max, $0) < (moduleOrder[$1] ?? .max, $1)
            }
            for name in names {
                let parameter = try state.createGroup(CheckpointNames.escape(name))
                for (key, tensor) in (optimizer.tensors[name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    _ = try parameter.createDataset(CheckpointNames.escape(key), tensor: tensor)
                }
                for (key, value) in (optimizer.scalars[name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    try parameter.setAttribute(key, .double(value))
                }
            }
        }
        let schedulerGroups = try root.createGroup("lr_schedulers")
        for (index, scheduler) in schedulers.enumerated() {
            let group = try schedulerGroups.createGroup(String(index))
            try group.setAttribute("type", .string(scheduler.type))
            try group.setAttribute("state", .string(try CheckpointNames.json(scheduler.state)))
        }
        let precisionGroup = try root.createGroup("precision")
        for (key, value) in lossScaler.sorted(by: { $0.key < $1.key }) { try precisionGroup.setAttribute(key, .double(value)) }
        let loopGroup = try root.createGroup("loops")
        for (key, value) in loops.sorted(by: { $0.key < $1.key }) { try loopGroup.setAttribute(key, .int(Int64(value))) }
        let callbackGroups = try root.createGroup("callbacks")
        for (key, state) in callbacks.sorted(by: { $0.key < $1.key }) {
            try callbackGroups.createGroup(CheckpointNames.escape(key)).setAttribute("state", .string(state))
        }
        let rngGroup = try root.createGroup("rng")
        for (name, words) in rng.sorted(by: { $0.key < $1.key }) { try writeWords(words, named: name, in: rngGroup) }
        let gradientGroup = try root.createGroup("gradients")
        for (name, tensor) in gradients { _ = try gradientGroup.createDataset(CheckpointNames.escape(name), tensor: tensor) }
    }

    /// Writes an rng entry, making a group of each `/`-separated component but the last.
    private func writeWords(_ words: [UInt64], named name: String, in rngGroup: HDF5Group) throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let leaf = parts.last, parts.allSatisfy({ !$0.isEmpty }) else {
            throw HDF5Error(.failed, file: rngGroup.file.path, object: rngGroup.childPath(name), operation: "create",
                            detail: "rng name \"\(name)\" has an empty component")
        }
        var group = rngGroup
        for part in parts.dropLast() {
            let escaped = CheckpointNames.escape(part)
            group = try group.contains(escaped) ? try group.group(escaped) : try group.createGroup(escaped)
        }
        _ = try group.createDataset(CheckpointNames.escape(leaf), words: words)
    }

    // MARK: Reading

    private static func read(_ root: HDF5Group, weightsOnly: Bool) throws -> Checkpoint {
        try checkFormat(root)
        var checkpoint = Checkpoint(metadata: try readMetadata(root), stateDict: try readTensors(try root.group("state_dict")))
        guard !weightsOnly else { return checkpoint }
        if try root.contains("optimizers") {
            checkpoint.optimizers = try indexedGroups(try root.group("optimizers")).map(readOptimizer)
        }
        if try root.contains("lr_schedulers") {
            checkpoint.schedulers = try indexedGroups(try root.group("lr_schedulers")).map { group in
                (type: try string("type", of: group), state: try CheckpointNames.decode([String: Double].self,
                                                                                         from: try string("state", of: group), at: group))
            }
        }
        if try root.contains("precision") {
            let group = try root.group("precision")
            for key in try group.attributeNames() { checkpoint.lossScaler[key] = try double(key, of: group) }
        }
        if try root.contains("loops") {
            let group = try root.group("loops")
            for key in try group.attributeNames() { checkpoint.loops[key] = try int(key, of: group) }
        }
        if try root.contains("callbacks") {
            let group = try root.group("callbacks")
            for name in try group.memberNames() {
                checkpoint.callbacks[CheckpointNames.unescape(name)] = try string("state", of: try group.group(name))
            }
        }
        if try root.contains("rng") { try readWords(try root.group("rng"), prefix: "", into: &checkpoint.rng) }
        if try root.contains("gradients") { checkpoint.gradients = try readTensors(try root.group("gradients")) }
        return checkpoint
    }

    /// Checks that `root` is a Volt checkpoint of the format version this code reads.
    static func checkFormat(_ root: HDF5Group) throws {
        let path = root.file.path
        guard try root.attribute("format")?.stringValue == CheckpointMetadata.format else {
            throw CheckpointError.notAVoltCheckpoint(path: path)
        }
        guard let version = try root.attribute("format_version")?.intValue else {
            throw CheckpointError.malformed(path: path, object: "/", reason: "format_version is missing or not an integer")
        }
        guard version == CheckpointMetadata.formatVersion else {
            throw CheckpointError.unsupportedVersion(path: path, version: Int(version))
        }
    }

    private static func readMetadata(_ root: HDF5Group) throws -> CheckpointMetadata {
        let hparams = try string("hparams", of: root)
        guard let hyperparameters = try? SavedHyperparameters(json: hparams) else {
            throw CheckpointError.malformed(path: root.file.path, object: "/", reason: "hparams is not a JSON object")
        }
        let precisionName = try string("precision", of: root)
        guard let precision = Precision(rawValue: precisionName) else {
            throw CheckpointError.malformed(path: root.file.path, object: "/",
                                            reason: "precision \"\(precisionName)\" is not fp32, fp16 or bf16")
        }
        var metadata = CheckpointMetadata(epoch: try int("epoch", of: root), globalStep: try int("global_step", of: root),
                                          module: try string("module", of: root), hyperparameters: hyperparameters,
                                          precision: precision, worldSize: try int("world_size", of: root),
                                          createdUTC: try string("created_utc", of: root))
        metadata.voltVersion = try string("volt_version", of: root)
        return metadata
    }

    private static func readOptimizer(_ group: HDF5Group) throws -> OptimizerState {
        let groups = try CheckpointNames.decode([[String: Double]].self, from: try string("param_groups", of: group), at: group)
        var tensors: [String: [String: Tensor]] = [:], scalars: [String: [String: Double]] = [:]
        if try group.contains("state") {
            let state = try group.group("state")
            for member in try state.memberNames() {
                let parameter = try state.group(member), name = CheckpointNames.unescape(member)
                for (key, tensor) in try readTensors(parameter) { tensors[name, default: [:]][key] = tensor }
                for key in try parameter.attributeNames() { scalars[name, default: [:]][key] = try double(key, of: parameter) }
            }
        }
        return OptimizerState(type: try string("type", of: group), groups: groups, tensors: tensors, scalars: scalars)
    }

    /// Every dataset of `group` as a tensor, in creation order, names unescaped.
    private static func readTensors(_ group: HDF5Group) throws -> [(name: String, tensor: Tensor)] {
        try group.memberNames().map { (name: CheckpointNames.unescape($0), tensor: try group.dataset($0).readTensor()) }
    }

    private static func readWords(_ group: HDF5Group, prefix: String, into rng: inout [String: [UInt64]]) throws {
        for name in try group.memberNames() {
            let key = prefix + CheckpointNames.unescape(name)
            switch try group.member(name) {
            case let .group(child): try readWords(child, prefix: key + "/", into: &rng)
            case let .dataset(dataset): rng[key] = try dataset.readWords()
            }
        }
    }

    /// The members `0`, `1`, … of `group`, in index order; any other name, or a gap, makes the file malformed.
    private static func indexedGroups(_ group: HDF5Group) throws -> [HDF5Group] {
        let names = try group.memberNames()
        let indices = names.compactMap { Int($0) }.sorted()
        guard indices == Array(0..<names.count) else {
            throw CheckpointError.malformed(path: group.file.path, object: group.path,
                                            reason: "members \(names) are not numbered 0..<\(names.count)")
        }
        return try indices.map { try group.group(String($0)) }
    }

    private static func attribute(_ name: String, of object: HDF5Object) throws -> HDF5AttributeValue {
        guard let value = try object.attribute(name) else {
            throw CheckpointError.malformed(path: object.file.path, object: object.path, reason: "attribute \(name) is missing")
        }
        return value
    }

    private static func string(_ name: String, of object: HDF5Object) throws -> String {
        let value = try attribute(name, of: object)
        guard let s = value.stringValue else { throw mistyped(name, value, "a string", object) }
        return s
    }

    private static func int(_ name: String, of object: HDF5Object) throws -> Int {
        let value = try attribute(name, of: object)
        guard let v = value.intValue, let i = Int(exactly: v) else { throw mistyped(name, value, "an integer", object) }
        return i
    }

    private static func double(_ name: String, of object: HDF5Object) throws -> Double {
        let value = try attribute(name, of: object)
        guard let d = value.doubleValue else { throw mistyped(name, value, "a number", object) }
        return d
    }

    private static func mistyped(_ name: String, _ value: HDF5AttributeValue, _ expected: String, _ object: HDF5Object) -> CheckpointError {
        .malformed(path: object.file.path, object: object.path, reason: "attribute \(name) = \(value) is not \(expected)")
    }
}

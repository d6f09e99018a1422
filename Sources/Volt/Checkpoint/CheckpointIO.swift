import Foundation
import VoltNN
import VoltTensor

extension Checkpoint {
    /// Writes the checkpoint to `path` atomically: into `<path>.tmp`, fsynced, then renamed over `path` (and the
    /// directory fsynced). On failure the temporary file is removed and an existing `path` is left untouched.
    public func write(to path: String) throws {
        let temporary = path + ".tmp"
        do {
            let file = try HDF5File.create(temporary)
            try writeContents(to: file)
            try file.close()
            try Self.fsync(temporary)
            guard rename(temporary, path) == 0 else {
                throw CheckpointError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            try? Self.fsync((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if let e = error as? CheckpointError, case .cannotWrite = e { throw CheckpointError.cannotWrite(path: path, reason: "\(e)") }
            throw error
        }
    }

    private static func fsync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CheckpointError.cannotWrite(path: path, reason: "cannot open for fsync") }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw CheckpointError.cannotWrite(path: path, reason: "fsync failed") }
    }

    private func writeContents(to file: HDF5File) throws {
        let m = metadata
        try file.setAttribute("format", "volt-checkpoint")
        try file.setAttribute("format_version", Int64(m.formatVersion))
        try file.setAttribute("volt_version", m.voltVersion)
        try file.setAttribute("created_utc", m.createdUTC)
        try file.setAttribute("epoch", Int64(m.epoch))
        try file.setAttribute("global_step", Int64(m.globalStep))
        try file.setAttribute("module", m.module)
        try file.setAttribute("hparams", m.hyperparameters.jsonString)
        try file.setAttribute("precision", m.precision)
        try file.setAttribute("world_size", Int64(m.worldSize))
        try file.createGroup("/state_dict")
        for (name, tensor) in stateDict { try file.write(tensor, at: "/state_dict/" + Self.escape(name)) }
        guard !optimizers.isEmpty || !loops.isEmpty else { return }  // weights-only

        for (i, optimizer) in optimizers.enumerated() {
            let root = "/optimizers/\(i)"
            try file.createGroup(root)
            try file.setAttribute("type", optimizer.type, on: root)
            try file.setAttribute("param_groups", Self.json(optimizer.groups), on: root)
            try file.createGroup(root + "/state")
            for name in optimizer.tensors.keys.sorted() {
                let group = root + "/state/" + Self.escape(name)
                try file.createGroup(group)
                for (key, tensor) in (optimizer.tensors[name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    try file.write(tensor, at: group + "/" + key)
                }
            }
            for (name, scalars) in optimizer.scalars.sorted(by: { $0.key < $1.key }) {
                let group = root + "/state/" + Self.escape(name)
                try file.createGroup(group)
                for (key, value) in scalars { try file.setAttribute(key, value, on: group) }
            }
        }
        for (i, scheduler) in schedulers.enumerated() {
            try file.createGroup("/lr_schedulers/\(i)")
            try file.setAttribute("type", scheduler.type, on: "/lr_schedulers/\(i)")
            try file.setAttribute("state", Self.json(scheduler.state), on: "/lr_schedulers/\(i)")
        }
        try file.createGroup("/precision")
        for (key, value) in precision { try file.setAttribute(key, value, on: "/precision") }
        try file.createGroup("/loops")
        for (key, value) in loops { try file.setAttribute(key, Int64(value), on: "/loops") }
        try file.createGroup("/callbacks")
        for (key, state) in callbacks {
            let group = "/callbacks/" + Self.escape(key)
            try file.createGroup(group)
            try file.setAttribute("state", state, on: group)
        }
        try file.createGroup("/rng")
        for (name, words) in rng { try file.write(words, at: "/rng/" + name) }
        if !gradients.isEmpty {
            try file.createGroup("/gradients")
            for (name, tensor) in gradients { try file.write(tensor, at: "/gradients/" + Self.escape(name)) }
        }
    }

    /// Reads a checkpoint; with `weightsOnly`, just the metadata and the state dict.
    ///
    /// - Throws: ``CheckpointError`` for a missing, truncated or corrupt file, another format or version.
    public static func read(from path: String, weightsOnly: Bool = false) throws -> Checkpoint {
        let file = try HDF5File.open(path)
        guard try file.attributeString("format") == "volt-checkpoint" else { throw CheckpointError.notAVoltCheckpoint(path: path) }
        let version = try file.attributeInt("format_version") ?? -1
        guard version == CheckpointMetadata.formatVersion else { throw CheckpointError.unsupportedVersion(path: path, version: version) }
        let hparams = try [String: HParam](json: try file.attributeString("hparams") ?? "{}")
        let metadata = CheckpointMetadata(
            epoch: try file.attributeInt("epoch") ?? 0, globalStep: try file.attributeInt("global_step") ?? 0,
            module: try file.attributeString("module") ?? "", hyperparameters: hparams,
            precision: try file.attributeString("precision") ?? "fp32", worldSize: try file.attributeInt("world_size") ?? 1,
            createdUTC: try file.attributeString("created_utc") ?? "")
        var checkpoint = Checkpoint(
            metadata: metadata,
            stateDict: try file.members("/state_dict").map { (unescape($0), try file.readTensor("/state_dict/" + $0)) })
        guard !weightsOnly, file.exists("/loops") else { return checkpoint }

        if file.exists("/optimizers") {
            for index in try file.members("/optimizers").sorted(by: { (Int($0) ?? 0) < (Int($1) ?? 0) }) {
                let root = "/optimizers/" + index
                var tensors: [String: [String: Tensor]] = [:], scalars: [String: [String: Double]] = [:]
                for member in try file.members(root + "/state") {
                    let group = root + "/state/" + member, name = unescape(member)
                    for key in try file.members(group) { tensors[name, default: [:]][key] = try file.readTensor(group + "/" + key) }
                    for key in file.attributeNames(on: group) { scalars[name, default: [:]][key] = try file.attributeDouble(key, on: group) }
                }
                let groups = try JSONDecoder().decode([[String: Double]].self, from: Data((try file.attributeString("param_groups", on: root) ?? "[]").utf8))
                checkpoint.optimizers.append(OptimizerState(type: try file.attributeString("type", on: root) ?? "", groups: groups,
                                                            tensors: tensors, scalars: scalars))
            }
        }
        if file.exists("/lr_schedulers") {
            for index in try file.members("/lr_schedulers").sorted(by: { (Int($0) ?? 0) < (Int($1) ?? 0) }) {
                let root = "/lr_schedulers/" + index
                let state = try JSONDecoder().decode([String: Double].self, from: Data((try file.attributeString("state", on: root) ?? "{}").utf8))
                checkpoint.schedulers.append((try file.attributeString("type", on: root) ?? "", state))
            }
        }
        for key in file.attributeNames(on: "/precision") { checkpoint.precision[key] = try file.attributeDouble(key, on: "/precision") }
        for key in file.attributeNames(on: "/loops") { checkpoint.loops[key] = try file.attributeInt(key, on: "/loops") }
        if file.exists("/callbacks") {
            for member in try file.members("/callbacks") {
                checkpoint.callbacks[unescape(member)] = try file.attributeString("state", on: "/callbacks/" + member)
            }
        }
        func readRNG(_ group: String, prefix: String) throws {
            for member in try file.members(group) {
                let object = group + "/" + member
                if file.isGroup(object) { try readRNG(object, prefix: prefix + member + "/") }
                else { checkpoint.rng[prefix + member] = try file.readWords(object) }
            }
        }
        if file.exists("/rng") { try readRNG("/rng", prefix: "") }
        if file.exists("/gradients") {
            checkpoint.gradients = try file.members("/gradients").map { (unescape($0), try file.readTensor("/gradients/" + $0)) }
        }
        return checkpoint
    }

    /// HDF5 names cannot contain `/`: it is stored as `%2F` (and `%` as `%25`).
    static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
    }

    static func unescape(_ name: String) -> String {
        name.replacingOccurrences(of: "%2F", with: "/").replacingOccurrences(of: "%25", with: "%")
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

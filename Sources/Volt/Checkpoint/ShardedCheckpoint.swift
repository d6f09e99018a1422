import VoltInterop
import Foundation
import VoltNN

/// A checkpoint whose optimizer state stays sharded as the ZeRO strategies hold it: a folder (named like a
/// checkpoint file, e.g. `last.h5/`) of one ordinary checkpoint file per rank.
///
/// - `rank0.h5` is a complete checkpoint (metadata with `world_size`, state dict, schedulers, loops, callbacks,
///   every rank's generators and pending gradients) whose optimizer state holds rank 0's parameters only;
/// - `rank<r>.h5` for r > 0 holds the metadata and rank r's optimizer state, with an empty state dict.
///
/// Each rank writes its own file at the same time, so no rank ever holds the whole optimizer state. Every file is
/// written atomically (``Checkpoint/write(to:)``) into `<folder>.tmp/`, which replaces the folder once all ranks
/// are done: a crash leaves the old folder, the new one, or (between the two renames) the old one as
/// `<folder>.old`. h5py reads every file. Resuming needs the same number of ranks;
/// ``consolidate(_:weightsOnly:)`` (`volt checkpoint consolidate`) merges the shards into the ordinary single-file
/// layout, which resumes on any number.
public enum ShardedCheckpoint {
    /// The file of `rank` in the sharded checkpoint `folder`.
    public static func shardPath(_ folder: String, rank: Int) -> String { folder + "/rank\(rank).h5" }

    /// Whether `path` is a sharded checkpoint (a folder holding `rank0.h5`).
    public static func isSharded(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            && FileManager.default.fileExists(atPath: shardPath(path, rank: 0))
    }

    /// What `rank` of a job of `worldSize` ranks resumes from: rank 0's file with this rank's optimizer state.
    ///
    /// - Throws: ``CheckpointError`` reading either file; `.malformed` when the checkpoint was written by another
    ///   number of ranks (consolidate it first) or a shard disagrees with rank 0's file.
    public static func read(_ folder: String, rank: Int, worldSize: Int) throws -> Checkpoint {
        var checkpoint = try Checkpoint.read(from: shardPath(folder, rank: 0))
        let written = checkpoint.metadata.worldSize
        guard written == worldSize else {
            throw CheckpointError.malformed(
                path: folder, object: "/",
                reason: "its optimizer state is sharded over \(written) rank(s) and this job runs \(worldSize); resume on "
                    + "\(written) rank(s), or merge the shards first: volt checkpoint consolidate \(folder) --out FILE.h5")
        }
        guard rank > 0 else { return checkpoint }
        let shard = try readShard(folder, rank: rank, expecting: checkpoint)
        checkpoint.optimizers = shard.optimizers
        return checkpoint
    }

    /// The whole checkpoint in the ordinary single-file layout: rank 0's file with every rank's optimizer state
    /// merged in (with `weightsOnly`, rank 0's metadata and state dict alone).
    ///
    /// - Throws: ``CheckpointError`` reading a file, or `.malformed` when a shard is missing or disagrees.
    public static func consolidate(_ folder: String, weightsOnly: Bool = false) throws -> Checkpoint {
        var checkpoint = try Checkpoint.read(from: shardPath(folder, rank: 0), weightsOnly: weightsOnly)
        guard !weightsOnly else { return checkpoint }
        for rank in 1..<Swift.max(checkpoint.metadata.worldSize, 1) {
            let shard = try readShard(folder, rank: rank, expecting: checkpoint)
            for (i, state) in shard.optimizers.enumerated() {
                checkpoint.optimizers[i].tensors.merge(state.tensors) { mine, _ in mine }
                checkpoint.optimizers[i].scalars.merge(state.scalars) { mine, _ in mine }
            }
        }
        return checkpoint
    }

    private static func readShard(_ folder: String, rank: Int, expecting first: Checkpoint) throws -> Checkpoint {
        let path = shardPath(folder, rank: rank)
        let shard = try Checkpoint.read(from: path)
        guard shard.metadata.worldSize == first.metadata.worldSize, shard.metadata.globalStep == first.metadata.globalStep,
              shard.optimizers.count == first.optimizers.count else {
            throw CheckpointError.malformed(path: path, object: "/", reason: "this shard was not written with rank0.h5 "
                + "(world size, global step or optimizer count differ)")
        }
        return shard
    }

    /// The folder every rank writes its shard into before ``publish(_:)`` (rank 0 creates it empty).
    static func stagingFolder(_ folder: String) -> String { folder + ".tmp" }

    /// Rank 0, before any rank writes: an empty staging folder.
    static func prepareStaging(_ folder: String) throws {
        let staging = stagingFolder(folder)
        try? FileManager.default.removeItem(atPath: staging)
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError.cannotWrite(path: folder, object: "/", reason: "cannot create \(staging): \(error.localizedDescription)")
        }
    }

    /// Rank 0, after every rank wrote its shard: the staging folder replaces `folder` (or a file of that name).
    static func publish(_ folder: String) throws {
        let staging = stagingFolder(folder), old = folder + ".old"
        let fm = FileManager.default
        try? fm.removeItem(atPath: old)
        if fm.fileExists(atPath: folder), rename(folder, old) != 0 {
            throw CheckpointError.cannotWrite(path: folder, object: "/", reason: "cannot move the previous checkpoint aside")
        }
        guard rename(staging, folder) == 0 else {
            throw CheckpointError.cannotWrite(path: folder, object: "/", reason: "cannot rename \(staging) into place")
        }
        try? fm.removeItem(atPath: old)
        let parent = (folder as NSString).deletingLastPathComponent
        try DurableFile.fsyncDirectory(parent.isEmpty ? "." : parent, finalPath: folder)
    }
}

import Foundation
import VoltNN
import VoltTensor

extension Trainer {
    /// Connects `module`: its optimizers and schedulers, and the closures that write its checkpoints.
    func attach<M: TrainingModule>(_ module: M) throws {
        if !module.automaticOptimization {
            if flags.accumulateGradBatches != 1 {
                throw TrainerError.misconfiguration(
                    "accumulateGradBatches=\(flags.accumulateGradBatches) has no effect under manual optimization; accumulate in trainingStep")
            }
            if flags.gradientClipVal != nil {
                throw TrainerError.misconfiguration(
                    "gradientClipVal is not applied under manual optimization; call context.clipGradients in trainingStep")
            }
        }
        let configuration = try module.configureOptimizers()
        if module.automaticOptimization && configuration.optimizers.count != 1 {
            throw TrainerError.misconfiguration("automatic optimization takes exactly one optimizer; use manual optimization for several")
        }
        trainingOptimizers = configuration.optimizers.map { TrainingOptimizer($0, trainer: self) }
        schedulerConfigurations = configuration.schedulers
        automaticOptimizationAttached = module.automaticOptimization
        beforeOptimizerStep = { [unowned self] in try module.onBeforeOptimizerStep($0, trainer: self) }
        checkpointWriter = { [unowned self] path, weightsOnly in
            // Every rank takes part in building the checkpoint; rank 0 writes it, or each rank its shard.
            let sharded = self.strategy.shardsCheckpoints && !weightsOnly && self.strategy.worldSize > 1
            try self.strategy.withFullParameters {
                var checkpoint = try self.makeCheckpoint(module, weightsOnly: weightsOnly, gatherOptimizerState: !sharded)
                if sharded { return try self.writeShards(checkpoint, module: module, to: path) }
                guard self.strategy.isGlobalZero else { return }
                try module.onSaveCheckpoint(&checkpoint)
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try checkpoint.write(to: path)
            }
        }
    }

    /// Writes a ``ShardedCheckpoint``: rank 0 prepares the staging folder, every rank writes its file, rank 0
    /// puts the folder in place. The decision to shard comes from the strategy, the same on every rank.
    private func writeShards<M: TrainingModule>(_ checkpoint: Checkpoint, module: M, to folder: String) throws {
        var mine = Checkpoint(metadata: checkpoint.metadata, stateDict: [], optimizers: checkpoint.optimizers)
        if strategy.isGlobalZero {
            mine = checkpoint
            try module.onSaveCheckpoint(&mine)
            try FileManager.default.createDirectory(atPath: (folder as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try ShardedCheckpoint.prepareStaging(folder)
        }
        strategy.barrier()
        try mine.write(to: ShardedCheckpoint.shardPath(ShardedCheckpoint.stagingFolder(folder), rank: strategy.rank))
        strategy.barrierWhileWriting()
        if strategy.isGlobalZero { try ShardedCheckpoint.publish(folder) }
    }

    /// Disconnects the module (closures would otherwise keep it alive).
    func detach() {
        checkpointWriter = nil
        beforeOptimizerStep = nil
    }

    /// The path `ckptPath` names, or `nil` for "last" when there is no last checkpoint (with a warning).
    func resolveCheckpoint(_ ckptPath: String) throws -> String? {
        switch ckptPath {
        case "last":
            let newest = lastCheckpointCandidates().max { modificationDate($0) < modificationDate($1) }
            if newest == nil, strategy.isGlobalZero {
                FileHandle.standardError.write(Data(("volt: ckptPath=\"last\" found no last checkpoint under "
                    + "\(flags.defaultRootDir); starting from scratch\n").utf8))
            }
            return newest
        case "best":
            guard let best = checkpointCallback?.bestModelPath, !best.isEmpty else {
                throw TrainerError.checkpointNotFound("\"best\": no ModelCheckpoint has saved a best model yet")
            }
            return best
        default:
            guard FileManager.default.fileExists(atPath: ckptPath) else { throw TrainerError.checkpointNotFound(ckptPath) }
            return ckptPath
        }
    }

    /// ``resolveCheckpoint(_:)`` on every rank, checked to agree: a rank that cannot see the checkpoint (or
    /// fails to resolve it) makes every rank throw, instead of one rank restoring while another starts fresh.
    func agreedCheckpoint(_ ckptPath: String) throws -> String? {
        let resolved = Result { try resolveCheckpoint(ckptPath) }
        let found: [Bool]
        switch resolved {
        case let .success(path): found = strategy.agreedFlags([path != nil, path == nil, false])
        case .failure: found = strategy.agreedFlags([false, false, true])
        }
        if found[2] {
            _ = try resolved.get()  // this rank's own error, or the other ranks'
            throw TrainerError.checkpointNotFound("\(ckptPath): another rank could not resolve it")
        }
        if found[0] && found[1] {
            throw TrainerError.checkpointNotFound(
                "\(ckptPath): only some ranks can see a checkpoint; put checkpoints on a filesystem every rank shares")
        }
        return try resolved.get()
    }

    /// Every `last*.h5` a "last" resume may mean: in the folders of checkpoint callbacks that name one, and — for
    /// those that use the default folder, which is only known once the fit's logger version exists — in every
    /// `<defaultRootDir>/volt_logs/version_N/checkpoints` and `<defaultRootDir>/checkpoints`.
    func lastCheckpointCandidates() -> [String] {
        let fm = FileManager.default
        var directories = checkpointCallbacks.compactMap(\.dirpath)
        if checkpointCallbacks.contains(where: { $0.dirpath == nil }) {
            directories.append(flags.defaultRootDir + "/checkpoints")
            for logger in loggers {
                let root = (logger.logDirectory as NSString).deletingLastPathComponent
                let versions = (try? fm.contentsOfDirectory(atPath: root)) ?? []
                directories += versions.map { root + "/" + $0 + "/checkpoints" }
            }
            let logs = flags.defaultRootDir + "/volt_logs"
            directories += ((try? fm.contentsOfDirectory(atPath: logs)) ?? []).map { logs + "/" + $0 + "/checkpoints" }
        }
        return Set(directories).flatMap { dir in
            ((try? fm.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasPrefix(ModelCheckpoint.lastName) && $0.hasSuffix(ModelCheckpoint.fileExtension) }
                .map { dir + "/" + $0 }
        }
    }

    private func modificationDate(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// Everything needed to continue this fit exactly; without `gatherOptimizerState`, only this rank's share of
    /// a sharded optimizer state.
    func makeCheckpoint<M: TrainingModule>(_ module: M, weightsOnly: Bool, gatherOptimizerState: Bool = true) throws -> Checkpoint {
        let named = module.model.namedTensors()
        var checkpoint = Checkpoint(
            metadata: CheckpointMetadata(epoch: currentEpoch, globalStep: globalStep, module: String(describing: M.self),
                                         hyperparameters: try SavedHyperparameters(module.hyperparameters), precision: flags.precision,
                                         worldSize: strategy.worldSize),
            stateDict: named.map { (name: $0.0, tensor: $0.1) })
        guard !weightsOnly else { return checkpoint }
        checkpoint.optimizers = trainingOptimizers.map {
            gatherOptimizerState ? strategy.gatherOptimizerState($0.optimizer) : $0.optimizer.state()
        }
        checkpoint.schedulers = schedulerConfigurations.map { (type: "\($0.scheduler.schedule)", state: $0.scheduler.state) }
        checkpoint.lossScaler = precisionPlugin.state
        let position = progress.tailDone
            ? ["epoch": currentEpoch + 1, "batch_index": 0, "validated_at": -1]
            : ["epoch": currentEpoch, "batch_index": progress.batchesDone, "validated_at": progress.validatedAt ?? -1]
        checkpoint.loops = position.merging(["global_step": globalStep, "batches_seen": batchesSeen]) { $1 }
        for callback in callbacks { if let key = callback.stateKey { checkpoint.callbacks[key] = try callback.state() } }
        if let state = try dataModuleState?.save() { checkpoint.callbacks[DataModuleStateHooks.key] = state }
        let streams = module.model.namedRandomStreams()
        let everyRank = strategy.allGather(streams.flatMap { [$0.1.generator.seed, $0.1.generator.offset] })
        for (rank, words) in everyRank.enumerated() {
            for (i, (name, _)) in streams.enumerated() { checkpoint.rng["rank\(rank)/\(name)"] = [words[2 * i], words[2 * i + 1]] }
        }
        checkpoint.gradients = try pendingGradients(named)
        return checkpoint
    }

    /// Every rank's gradients not yet applied (mid-accumulation they differ per rank): rank 0's under their own
    /// names, rank r's under `rank<r>/<name>`. A tensor with a gradient on any rank is gathered from all, zeros
    /// standing in where a rank has none.
    func pendingGradients(_ named: [(String, Tensor)]) throws -> [(name: String, tensor: Tensor)] {
        let present = strategy.agreedFlags(named.map { $0.1.grad != nil })
        var result: [(name: String, tensor: Tensor)] = []
        for ((name, tensor), any) in zip(named, present) where any {
            guard strategy.worldSize > 1 else {
                if let grad = tensor.grad { result.append((name, grad)) }
                continue
            }
            let local = tensor.grad?.float32().contiguous() ?? Tensor.zeros(tensor.shape)
            let words = (local.count + 1) / 2  // two float32 bit patterns per word
            var packed = [UInt64](repeating: 0, count: words)
            packed.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: local.rawPointer, byteCount: local.count * 4) }
            for (rank, words) in strategy.allGather(packed).enumerated() {
                let grad = Tensor(uninitializedShape: tensor.shape)
                words.withUnsafeBytes { grad.rawPointer.copyMemory(from: $0.baseAddress!, byteCount: grad.count * 4) }
                result.append((rank == 0 ? name : "rank\(rank)/\(name)", grad))
            }
        }
        return result
    }

    /// Loads a full checkpoint into the module and the trainer; returns where the fit continues.
    func restore<M: TrainingModule>(_ module: M, from path: String) throws -> ResumePoint {
        // A sharding strategy reads only its own shard (same rank count, the same owners); any other strategy holds
        // the full state anyway and reads the shards merged.
        let checkpoint = ShardedCheckpoint.isSharded(path) && strategy.shardsCheckpoints
            ? try ShardedCheckpoint.read(path, rank: strategy.rank, worldSize: strategy.worldSize)
            : try Checkpoint.read(from: path)
        let midEpoch = (checkpoint.loops["batch_index"] ?? 0) > 0
        if checkpoint.metadata.worldSize != strategy.worldSize && midEpoch {
            throw TrainerError.misconfiguration(
                "\(path) was written mid-epoch by \(checkpoint.metadata.worldSize) rank(s); resuming it on \(strategy.worldSize) "
                + "would change which samples the rest of the epoch sees. Resume it on \(checkpoint.metadata.worldSize) rank(s), "
                + "or from a checkpoint taken at an epoch boundary (those resume on any number of ranks)")
        }
        try module.loadModelState(from: checkpoint)
        guard checkpoint.optimizers.count == trainingOptimizers.count else {
            throw TrainerError.misconfiguration(
                "\(path) holds \(checkpoint.optimizers.count) optimizer states, the module configures \(trainingOptimizers.count)")
        }
        for (optimizer, state) in zip(trainingOptimizers, checkpoint.optimizers) {
            try optimizer.optimizer.load(state: strategy.localOptimizerState(state, for: optimizer.optimizer))
        }
        for (config, saved) in zip(schedulerConfigurations, checkpoint.schedulers) { config.scheduler.load(state: saved.state) }
        precisionPlugin.load(state: checkpoint.lossScaler)
        for callback in callbacks {
            if let key = callback.stateKey, let state = checkpoint.callbacks[key] { try callback.load(state: state) }
        }
        if let state = checkpoint.callbacks[DataModuleStateHooks.key] { try dataModuleState?.load(state) }
        for (name, stream) in module.model.namedRandomStreams() {
            if let words = checkpoint.rng["rank\(strategy.rank)/\(name)"] ?? checkpoint.rng["rank0/\(name)"], words.count == 2 {
                stream.generator = RandomGenerator(seed: words[0], offset: words[1])
            }
        }
        let tensors = Dictionary(module.model.namedTensors(), uniquingKeysWith: { a, _ in a })
        let gradients = Dictionary(checkpoint.gradients.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        for (name, tensor) in tensors {
            // This rank's own pending gradient; rank 0's (or a one-rank checkpoint's) under the plain name.
            if let grad = (strategy.rank > 0 ? gradients["rank\(strategy.rank)/\(name)"] : nil) ?? gradients[name] {
                tensor.grad = grad.clone()
            }
        }
        try module.onLoadCheckpoint(checkpoint)
        globalStep = checkpoint.loops["global_step"] ?? checkpoint.metadata.globalStep
        batchesSeen = checkpoint.loops["batches_seen"] ?? 0
        let validated = checkpoint.loops["validated_at"] ?? -1
        return ResumePoint(epoch: checkpoint.loops["epoch"] ?? 0, batchIndex: checkpoint.loops["batch_index"] ?? 0,
                           validatedAt: validated >= 0 ? validated : nil)
    }

    /// Loads only the weights of a checkpoint (for validate/test/predict).
    func loadWeights<M: TrainingModule>(_ module: M, from path: String) throws {
        try module.loadModelState(from: try Checkpoint.read(from: path, weightsOnly: true))
    }
}

import Foundation

extension Trainer {
    /// Where a preemption or `maxTime` checkpoint goes: `last.h5` in the first checkpoint callback's folder.
    var stopCheckpointPath: String? {
        guard flags.enableCheckpointing else { return nil }
        let directory = checkpointCallback?.dirpath ?? logDirectory + "/checkpoints"
        return directory + "/" + ModelCheckpoint.lastName + ModelCheckpoint.fileExtension
    }

    /// At a batch boundary: agrees across ranks on whether to stop — a callback's or the module's `shouldStop`
    /// on any rank, `maxTime` by rank 0's clock, a preemption signal on any rank — and acts on it: on a signal it
    /// saves `last.h5` and throws ``TrainerError/preempted(signal:checkpoint:)``; when time is up it saves
    /// `last.h5` and lets the fit end.
    func agreeOnStopping() throws {
        let expired = flags.maxTime.map { Date().timeIntervalSince(fitStartTime) >= $0.seconds } ?? false
        let signal = preemptionSignals.received
        let flags = strategy.agreedFlags([shouldStop, expired && strategy.isGlobalZero, signal == SIGTERM, signal == SIGUSR1])
        shouldStop = flags[0]
        if flags[2] || flags[3] {
            let number = flags[2] ? SIGTERM : SIGUSR1
            let path = stopCheckpointPath
            if let path { try saveCheckpoint(to: path) }
            if number == SIGUSR1 && strategy.isGlobalZero { SlurmRequeue.requestIfUnderSlurm() }
            throw TrainerError.preempted(signal: number, checkpoint: path)
        }
        if flags[1] {
            if let path = stopCheckpointPath { try saveCheckpoint(to: path) }
            if strategy.isGlobalZero {
                FileHandle.standardError.write(Data("volt: max_time reached; saved the state and stopped training\n".utf8))
            }
            shouldStop = true
        }
    }
}

/// Asks Slurm to queue this job again (what Lightning's auto-requeue does on SIGUSR1).
enum SlurmRequeue {
    /// Runs `scontrol requeue $SLURM_JOB_ID` when the job runs under Slurm; reports a failure and goes on.
    static func requestIfUnderSlurm() {
        guard let job = ProcessInfo.processInfo.environment["SLURM_JOB_ID"] else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["scontrol", "requeue", job]
        do {
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                FileHandle.standardError.write(Data("volt: requeued Slurm job \(job)\n".utf8))
                return
            }
        } catch {}
        FileHandle.standardError.write(Data("volt: could not requeue Slurm job \(job) with scontrol; resubmit it with --ckpt-path last\n".utf8))
    }
}

import Volt

extension VoltCLI {
    /// The number of MPI ranks a command must re-launch itself as, or `nil` when it runs in this process.
    ///
    /// A command started as one plain process whose strategy is not `single` and whose `devices` is above 1 runs
    /// again as `devices` ranks under `mpirun`; a process that an MPI launcher started (`mpirun`, `srun`) joins its
    /// world instead, and the trainer checks that the world size agrees with `devices`.
    ///
    /// - Parameters:
    ///   - strategy: `trainer.strategy` (`auto` is DDP once `devices` > 1).
    ///   - devices: `trainer.devices`, or a command's `--devices`.
    ///   - underMPI: whether an MPI launcher started this process (`MPILauncher.isUnderMPI`).
    public static func relaunchRanks(strategy: StrategyKind, devices: Int, underMPI: Bool = MPILauncher.isUnderMPI) -> Int? {
        guard strategy != .single, devices > 1, !underMPI else { return nil }
        return devices
    }

    /// Re-launches this program with the same arguments under `mpirun` when ``relaunchRanks(strategy:devices:underMPI:)``
    /// says so, and exits with `mpirun`'s status; otherwise returns. Every `volt` command that trains or evaluates
    /// calls it once its configuration is read, before building anything.
    ///
    /// - Throws: `TrainerError.misconfiguration` when `mpirun` cannot be started.
    public static func relaunchIfNeeded(strategy: StrategyKind, devices: Int) throws {
        guard let ranks = relaunchRanks(strategy: strategy, devices: devices) else { return }
        try MPILauncher.relaunchIfNeeded(devices: ranks)
    }

    /// ``relaunchIfNeeded(strategy:devices:)`` for a configuration's `trainer:` section.
    ///
    /// - Throws: `TrainerError.misconfiguration` when `mpirun` cannot be started.
    public static func relaunchIfNeeded(for trainer: TrainerConfiguration) throws {
        try relaunchIfNeeded(strategy: trainer.strategy, devices: trainer.devices)
    }
}

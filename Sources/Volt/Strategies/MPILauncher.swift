import Foundation

/// Starts data-parallel jobs: joins an existing `mpirun`/`srun` world, or re-launches the program under
/// `mpirun -np N`.
public enum MPILauncher {
    /// Whether an MPI launcher started this process (Open MPI, PMIx or Slurm's PMI variables).
    public static var isUnderMPI: Bool {
        let env = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"].contains { env[$0] != nil }
    }

    /// When not under MPI and `devices > 1`, runs this same program with the same arguments as `devices` MPI
    /// ranks and exits with `mpirun`'s status; otherwise returns. Each rank gets an equal share of the cores.
    public static func relaunchIfNeeded(devices: Int, arguments: [String] = CommandLine.arguments) throws {
        guard devices > 1, !isUnderMPI else { return }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var launch = ["mpirun", "-np", "\(devices)", "--bind-to", "none"]
        if getuid() == 0 { launch.append("--allow-run-as-root") }
        if devices > cores { launch.append("--oversubscribe") }
        let threads = Swift.max(1, cores / devices)
        launch += ["-x", "OMP_NUM_THREADS=\(threads)"]
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
        launch += [executable] + arguments.dropFirst()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = launch
        do { try process.run() } catch {
            throw TrainerError.misconfiguration("could not start mpirun (install openmpi-bin): \(error)")
        }
        process.waitUntilExit()
        exit(process.terminationStatus)
    }
}

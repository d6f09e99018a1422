import CVoltKernels

/// What the numeric runtime of this process looks like: threads, instruction sets, libraries.
public struct RuntimeReport: Codable, Sendable {
    /// Threads of the shared OpenMP pool.
    public var threads: Int
    /// oneDNN's effective instruction set.
    public var cpuISA: String
    /// OpenBLAS's kernel family.
    public var openBLASCore: String
    /// Whether OpenBLAS is its OpenMP build.
    public var openBLASOpenMP: Bool
    /// The float32 matmul backend in use.
    public var backend: String

    /// The report for the running process (selects the matmul backend if not yet done).
    public static var current: RuntimeReport {
        RuntimeReport(threads: Int(volt_max_threads()), cpuISA: OneDNNBackend.isaName,
                      openBLASCore: OpenBLASBackend.coreName, openBLASOpenMP: OpenBLASBackend.isOpenMPBuild,
                      backend: MatMulBackends.selected.name)
    }

    /// Problems worth telling the user about.
    public var warnings: [String] {
        openBLASOpenMP ? [] : [
            "OpenBLAS's pthread build is loaded; its threads fight oneDNN's OpenMP pool. "
                + "Install libopenblas-openmp-dev (Volt links it with an rpath to /usr/lib/x86_64-linux-gnu/openblas-openmp).",
        ]
    }
}

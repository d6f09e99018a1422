import CMPI
import Foundation

/// The MPI world of this process (Open MPI), initialized once.
///
/// Volt only uses a handful of collectives on `MPI_COMM_WORLD`: in-place sum all-reduce, reduce-scatter,
/// all-gather, broadcast, barrier and abort. A process started by `mpirun`/`srun` joins the world; one started alone
/// never initializes MPI.
public final class MPICommunicator: @unchecked Sendable {
    /// This process's rank.
    public let rank: Int
    /// Number of processes.
    public let size: Int
    /// Bounds the blocking collectives once a strategy sets a timeout.
    private let watchdogLock = NSLock()
    private var watchdog: CollectiveWatchdog?

    /// The communicator of this process, or `nil` when it was not started by an MPI launcher.
    public static let world: MPICommunicator? = MPILauncher.isUnderMPI ? MPICommunicator() : nil

    private init() {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 { MPI_Init(nil, nil) }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(volt_MPI_COMM_WORLD(), &r)
        MPI_Comm_size(volt_MPI_COMM_WORLD(), &s)
        rank = Int(r)
        size = Int(s)
        atexit { MPICommunicator.finalize() }
    }

    private static func finalize() {
        var initialized: Int32 = 0, finalized: Int32 = 0
        MPI_Initialized(&initialized)
        MPI_Finalized(&finalized)
        guard initialized != 0 && finalized == 0 else { return }
        // MPI_Finalize waits for every rank: a rank that hung must not keep the others from exiting.
        if let world { world.watched("finalizing MPI") { _ = MPI_Finalize() } } else { MPI_Finalize() }
    }

    /// Ends the job when a blocking collective waits more than `seconds` (≤ 0: wait forever). Set once per process.
    public func setCollectiveTimeout(_ seconds: Double) {
        watchdogLock.lock()
        defer { watchdogLock.unlock() }
        guard watchdog?.timeout != seconds else { return }
        watchdog = CollectiveWatchdog(rank: rank, timeout: seconds)
    }

    private var currentWatchdog: CollectiveWatchdog? {
        watchdogLock.lock()
        defer { watchdogLock.unlock() }
        return watchdog
    }

    /// Runs `body` (a blocking collective) under the watchdog.
    private func watched<T>(_ operation: String, _ body: () -> T) -> T {
        guard let watchdog = currentWatchdog else { return body() }
        return watchdog.guarding(operation, body)
    }

    /// Runs `body`, whose collectives may wait ten times the collective timeout (the barrier while rank 0 writes a
    /// checkpoint, which can take minutes for a large model).
    public func withLenientCollectiveTimeout<T>(_ body: () throws -> T) rethrows -> T {
        guard let watchdog = currentWatchdog else { return try body() }
        return try watchdog.lenient(body)
    }

    /// Sums `count` floats across ranks in place.
    public func allReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        watched("an all-reduce of gradients") {
            var offset = 0
            while offset < count {  // MPI counts are 32-bit
                let n = Swift.min(count - offset, Int(Int32.max))
                MPI_Allreduce(volt_MPI_IN_PLACE(), buffer + offset, Int32(n), volt_MPI_FLOAT(), volt_MPI_SUM(), volt_MPI_COMM_WORLD())
                offset += n
            }
        }
    }

    /// Starts summing `count` floats across ranks in place; finish with ``wait(_:for:)``. The count must fit in 32 bits.
    public func startAllReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) -> MPIRequest {
        var request: MPI_Request? = volt_MPI_REQUEST_NULL()
        MPI_Iallreduce(volt_MPI_IN_PLACE(), buffer, Int32(count), volt_MPI_FLOAT(), volt_MPI_SUM(), volt_MPI_COMM_WORLD(), &request)
        return MPIRequest(handle: request)
    }

    /// Lets outstanding non-blocking operations progress (Open MPI advances them only inside MPI calls).
    public func progress(_ requests: inout [MPIRequest]) {
        guard !requests.isEmpty else { return }
        var handles = requests.map(\.handle)
        var done: Int32 = 0
        MPI_Testall(Int32(handles.count), &handles, &done, volt_MPI_STATUSES_IGNORE())
        for i in requests.indices { requests[i].handle = handles[i] }
    }

    /// Waits for `requests` to complete; `operation` names them if the watchdog ends the job.
    public func wait(_ requests: inout [MPIRequest], for operation: String = "waiting for gradient all-reduces") {
        guard !requests.isEmpty else { return }
        var handles = requests.map(\.handle)
        watched(operation) { _ = MPI_Waitall(Int32(handles.count), &handles, volt_MPI_STATUSES_IGNORE()) }
        requests = []
    }

    /// Sums doubles across ranks in place.
    public func allReduceSum(_ values: inout [Double]) {
        let count = Int32(values.count)
        values.withUnsafeMutableBufferPointer { p in
            watched("an all-reduce of metrics or decisions") {
                _ = MPI_Allreduce(volt_MPI_IN_PLACE(), p.baseAddress, count, volt_MPI_DOUBLE(), volt_MPI_SUM(), volt_MPI_COMM_WORLD())
            }
        }
    }

    /// Sums `send` (every rank's full buffer, laid out as consecutive per-rank segments of `counts` floats) across
    /// ranks and leaves rank r's segment of the sum in rank r's `receive` (`counts[rank]` floats). Counts are 32-bit.
    public func reduceScatterSum(_ send: UnsafePointer<Float>, into receive: UnsafeMutablePointer<Float>, counts: [Int]) {
        precondition(counts.reduce(0, +) <= Int(Int32.max), "a reduce-scatter of more than 2³¹ floats: use smaller buckets")
        var counts32 = counts.map { Int32($0) }
        watched("a reduce-scatter of gradients") {
            _ = MPI_Reduce_scatter(send, receive, &counts32, volt_MPI_FLOAT(), volt_MPI_SUM(), volt_MPI_COMM_WORLD())
        }
    }

    /// Starts ``reduceScatterSum(_:into:counts:)`` without waiting: `send` and `receive` must stay allocated, and
    /// `send` unchanged, until ``wait(_:for:)`` returns for the request (the request keeps the counts alive itself).
    public func startReduceScatterSum(_ send: UnsafePointer<Float>, into receive: UnsafeMutablePointer<Float>,
                                      counts: [Int]) -> MPIRequest {
        precondition(counts.reduce(0, +) <= Int(Int32.max), "a reduce-scatter of more than 2³¹ floats: use smaller buckets")
        let layout = CollectiveLayout(counts)
        var request: MPI_Request? = volt_MPI_REQUEST_NULL()
        MPI_Ireduce_scatter(send, receive, layout.counts, volt_MPI_FLOAT(), volt_MPI_SUM(), volt_MPI_COMM_WORLD(), &request)
        return MPIRequest(handle: request, retained: layout)
    }

    /// Concatenates every rank's `send` (`byteCounts[rank]` bytes) into `receive`, in rank order, on every rank.
    /// The total must fit in 32 bits.
    public func allGather(_ send: UnsafeRawPointer, into receive: UnsafeMutableRawPointer, byteCounts: [Int]) {
        precondition(byteCounts.reduce(0, +) <= Int(Int32.max), "an all-gather of more than 2 GiB: use smaller buckets")
        var counts = byteCounts.map { Int32($0) }
        var displacements = [Int32](repeating: 0, count: counts.count)
        for r in counts.indices.dropFirst() { displacements[r] = displacements[r - 1] + counts[r - 1] }
        let mine = counts[rank]
        watched("an all-gather of parameters") {
            _ = MPI_Allgatherv(send, mine, volt_MPI_BYTE(), receive, &counts, &displacements, volt_MPI_BYTE(), volt_MPI_COMM_WORLD())
        }
    }

    /// Starts ``allGather(_:into:byteCounts:)`` without waiting: `send` and `receive` must stay allocated and
    /// unchanged until ``wait(_:for:)`` returns for the request (the request keeps the counts alive itself).
    public func startAllGather(_ send: UnsafeRawPointer, into receive: UnsafeMutableRawPointer, byteCounts: [Int]) -> MPIRequest {
        precondition(byteCounts.reduce(0, +) <= Int(Int32.max), "an all-gather of more than 2 GiB: use smaller buckets")
        let layout = CollectiveLayout(byteCounts)
        var request: MPI_Request? = volt_MPI_REQUEST_NULL()
        MPI_Iallgatherv(send, layout.counts[rank], volt_MPI_BYTE(), receive, layout.counts, layout.displacements, volt_MPI_BYTE(),
                        volt_MPI_COMM_WORLD(), &request)
        return MPIRequest(handle: request, retained: layout)
    }

    /// Copies `root`'s bytes to every rank.
    public func broadcast(_ buffer: UnsafeMutableRawPointer, byteCount: Int, root: Int) {
        watched("a broadcast from rank \(root)") {
            var offset = 0
            while offset < byteCount {
                let n = Swift.min(byteCount - offset, Int(Int32.max))
                MPI_Bcast(buffer + offset, Int32(n), volt_MPI_BYTE(), Int32(root), volt_MPI_COMM_WORLD())
                offset += n
            }
        }
    }

    /// Waits for every rank.
    public func barrier() { watched("a barrier") { _ = MPI_Barrier(volt_MPI_COMM_WORLD()) } }

    /// Ends every rank of the job with `code` (after printing `message` on this rank's standard error).
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("volt: rank \(rank): \(message)\n".utf8))
        MPI_Abort(volt_MPI_COMM_WORLD(), code)
        exit(code)
    }
}

/// An outstanding non-blocking MPI operation.
public struct MPIRequest: @unchecked Sendable {
    var handle: MPI_Request?
    /// What MPI reads until the operation completes (a gather's counts and displacements).
    var retained: AnyObject?
}

/// The per-rank counts and displacements of a non-blocking `MPI_Iallgatherv` or `MPI_Ireduce_scatter`, which MPI
/// may read until the operation completes.
final class CollectiveLayout {
    let counts: UnsafeMutablePointer<Int32>
    let displacements: UnsafeMutablePointer<Int32>
    private let size: Int

    init(_ byteCounts: [Int]) {
        size = byteCounts.count
        counts = .allocate(capacity: Swift.max(size, 1))
        displacements = .allocate(capacity: Swift.max(size, 1))
        var offset: Int32 = 0
        for (r, n) in byteCounts.enumerated() {
            counts[r] = Int32(n)
            displacements[r] = offset
            offset += Int32(n)
        }
    }

    deinit {
        counts.deallocate()
        displacements.deallocate()
    }
}

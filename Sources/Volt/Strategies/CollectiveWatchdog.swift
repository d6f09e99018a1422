import Foundation

/// Ends a data-parallel job whose collective call waits longer than a bound — the sign of a peer rank that hangs
/// (deadlocked, stopped, stuck in I/O) rather than dies, which `mpirun` would notice by itself.
///
/// Blocking collectives run inside ``guarding(_:_:)``: it records what this rank is waiting in and since when, and
/// a background thread checks once a second. Past the bound it prints which rank waited in what, and exits the
/// process with status 70, which makes `mpirun` (or `srun`) end the other ranks and report the failure. Waits that are
/// expected to be long — the barrier while rank 0 writes a checkpoint — run in ``lenient(_:)``, bounded by
/// ``lenientFactor`` times the timeout instead.
final class CollectiveWatchdog: @unchecked Sendable {
    /// The longest wait allowed, in seconds.
    let timeout: Double
    private let rank: Int
    private let lock = NSLock()
    private var waiting: (operation: String, since: Date)?
    private var lenientDepth = 0
    /// How many times longer a wait inside ``lenient(_:)`` may take.
    static let lenientFactor = 10.0

    /// A watchdog for `rank`; `timeout` ≤ 0 disables it.
    init(rank: Int, timeout: Double) {
        self.rank = rank
        self.timeout = timeout
        guard timeout > 0 else { return }
        let thread = Thread { [weak self] in
            while let self {
                Thread.sleep(forTimeInterval: 1)
                self.check()
            }
        }
        thread.name = "volt-collective-watchdog"
        thread.start()
    }

    /// Runs the blocking collective `operation`, watched.
    func guarding<T>(_ operation: String, _ body: () -> T) -> T {
        lock.lock()
        waiting = (operation, Date())
        lock.unlock()
        defer {
            lock.lock()
            waiting = nil
            lock.unlock()
        }
        return body()
    }

    /// Runs `body`, whose collectives may wait ``lenientFactor`` times longer (rank 0 writing a large checkpoint).
    func lenient<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        lenientDepth += 1
        lock.unlock()
        defer { lock.lock(); lenientDepth -= 1; lock.unlock() }
        return try body()
    }

    private func check() {
        lock.lock()
        let limit = lenientDepth > 0 ? timeout * Self.lenientFactor : timeout
        let stuck = waiting.flatMap { Date().timeIntervalSince($0.since) > limit ? $0.operation : nil }
        lock.unlock()
        guard let stuck else { return }
        FileHandle.standardError.write(Data(("volt: rank \(rank): \(stuck) waited more than \(Int(limit)) s for the other "
            + "ranks; one of them has hung or died. Ending the job (set trainer.collective_timeout to wait longer).\n").utf8))
        _exit(70)
    }
}

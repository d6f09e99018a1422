import Foundation

/// Writes a trial's heartbeat every `interval` seconds on its own thread and connection until stopped.
final class HeartbeatThread {
    private let stopSignal = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var stopped = false

    init(path: String, trialID: Int64, interval: TimeInterval) throws {
        let stopSignal = stopSignal, finished = finished
        let thread = Thread {
            defer { finished.signal() }
            guard let storage = try? StudyStorage(path: path) else { return }
            while stopSignal.wait(timeout: .now() + interval) == .timedOut {
                try? storage.recordHeartbeat(trialID: trialID)
            }
        }
        thread.start()
    }

    /// Stops the thread and waits for it.
    func stop() {
        guard !stopped else { return }
        stopped = true
        stopSignal.signal()
        finished.wait()
    }

    deinit { stop() }
}

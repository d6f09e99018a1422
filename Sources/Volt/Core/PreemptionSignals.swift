import CVoltSystem
import Foundation

/// Catches the signals that announce a preemption — SIGTERM (Slurm's and Kubernetes' stop), SIGUSR1 (Slurm's
/// `--signal=USR1@90` warning) — while a fit runs, so the trainer can save `last.h5` at the next batch boundary
/// instead of dying mid-write.
///
/// ``start()`` installs an async-signal-safe handler that only records the signal, and ``stop()`` gives the
/// signals their default actions back. Every decision taken on a signal is agreed across ranks by the trainer.
struct PreemptionSignals {
    /// The signals watched.
    static let watched: [Int32] = [SIGTERM, SIGUSR1]

    /// The last signal received since ``start()``, if any.
    var received: Int32? {
        let number = volt_signal_last()
        return number == 0 ? nil : number
    }

    /// Starts catching the watched signals.
    func start() {
        volt_signal_clear()
        for number in Self.watched { _ = volt_signal_watch(number) }
    }

    /// Stops catching them and restores the default actions.
    func stop() {
        for number in Self.watched { volt_signal_restore(number) }
        volt_signal_clear()
    }

    /// `SIGTERM`, `SIGUSR1`, … for messages.
    static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGUSR1: "SIGUSR1"
        default: "signal \(number)"
        }
    }
}

import Foundation
import Volt

/// Prints prediction progress on rank 0: sequences done and sequences/s, a line rewritten in place on a terminal,
/// one line at most every ten seconds otherwise. Under data parallelism rank 0 sees only its share; the count is
/// scaled by the number of ranks.
public final class PredictionProgress: Callback {
    private let total: Int
    private let output: FileHandle
    private let interactive: Bool
    private var start = Date()
    private var lastDraw = Date.distantPast
    private var done = 0

    /// Progress over `total` sequences, written to standard error.
    public init(total: Int, output: FileHandle = .standardError) {
        self.total = total
        self.output = output
        interactive = isatty(output.fileDescriptor) != 0
    }

    public func onPredictStart(_ trainer: Trainer) throws {
        start = Date()
        done = 0
    }

    public func onPredictBatchEnd(_ trainer: Trainer, predictions: [Prediction], batchIndex: Int) throws {
        guard trainer.strategy.isGlobalZero else { return }
        done = Swift.min(total, done + predictions.count * trainer.strategy.worldSize)
        let now = Date()
        guard done < total, now.timeIntervalSince(lastDraw) > (interactive ? 0.2 : 10) else { return }
        lastDraw = now
        write((interactive ? "\r\u{1B}[2K" : "") + line(now) + (interactive ? "" : "\n"))
    }

    public func onPredictEpochEnd(_ trainer: Trainer, predictions: [Prediction]) throws {
        done = total
        write((interactive ? "\r\u{1B}[2K" : "") + line(Date()) + "\n")
    }

    private func line(_ now: Date) -> String {
        let elapsed = Swift.max(now.timeIntervalSince(start), 1e-9)
        return String(format: "embedded %d/%d sequences, %.1f sequences/s", done, total, Double(done) / elapsed)
    }

    private func write(_ text: String) { output.write(Data(text.utf8)) }
}

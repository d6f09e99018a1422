import Foundation

/// Prints training progress: a line rewritten in place on a terminal (batch, loss, tokens/s, ETA), one summary
/// line per epoch otherwise (logs, CI).
public final class ProgressBar: Callback {
    private let output: FileHandle
    private let interactive: Bool
    private var epochStart = Date()
    private var lastDraw = Date.distantPast

    /// A progress bar writing to standard error.
    public init(output: FileHandle = .standardError) {
        self.output = output
        interactive = isatty(output.fileDescriptor) != 0
    }

    public func onTrainEpochStart(_ trainer: Trainer) throws {
        epochStart = Date()
    }

    public func onTrainBatchEnd(_ trainer: Trainer, batchIndex: Int) throws {
        guard interactive, trainer.strategy.isGlobalZero, Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let done = batchIndex + 1, total = max(trainer.trainBatchesPerEpoch, 1)
        let elapsed = Date().timeIntervalSince(epochStart)
        let eta = elapsed / Double(done) * Double(total - done)
        write("\r\u{1B}[2KEpoch \(trainer.currentEpoch): \(done)/\(total) [\(clock(elapsed))<\(clock(eta))\(rate(trainer, elapsed))] \(metrics(trainer))")
    }

    public func onTrainEpochEnd(_ trainer: Trainer) throws {
        guard trainer.strategy.isGlobalZero else { return }
        let elapsed = Date().timeIntervalSince(epochStart)
        let prefix = interactive ? "\r\u{1B}[2K" : ""
        write("\(prefix)Epoch \(trainer.currentEpoch): \(trainer.trainBatchesPerEpoch) batches in \(clock(elapsed))\(rate(trainer, elapsed)) \(metrics(trainer))\n")
    }

    private func rate(_ trainer: Trainer, _ elapsed: Double) -> String {
        guard trainer.tokensThisEpoch > 0, elapsed > 0 else { return "" }
        return String(format: ", %.0f tokens/s", Double(trainer.tokensThisEpoch) / elapsed)
    }

    private func metrics(_ trainer: Trainer) -> String {
        trainer.progressBarMetrics.sorted { $0.key < $1.key }.map { String(format: "%@=%.4g", $0.key, $0.value) }
            .joined(separator: " ")
    }

    private func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds)
        return String(format: "%02d:%02d", s / 60, s % 60)
    }

    private func write(_ text: String) { output.write(Data(text.utf8)) }
}

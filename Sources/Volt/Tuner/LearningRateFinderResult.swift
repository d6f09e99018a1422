import Foundation
import VoltInterop

/// The outcome of ``Tuner/lrFind(_:train:minLR:maxLR:numTraining:mode:earlyStopThreshold:onStep:)``: the loss at each
/// learning rate of the sweep and the suggested learning rate — Lightning's `_LRFinder`.
public struct LearningRateFinderResult: Sendable {
    /// One optimizer step of the sweep.
    public struct Point: Sendable, Equatable, Codable {
        /// The step (0-based).
        public var step: Int
        /// Its learning rate.
        public var lr: Double
        /// The smoothed loss after the step (NaN when the step was skipped by fp16 overflow or the loss was not finite).
        public var loss: Double
        /// The loss of the step itself, before smoothing.
        public var rawLoss: Double

        /// A point.
        public init(step: Int, lr: Double, loss: Double, rawLoss: Double) {
            self.step = step
            self.lr = lr
            self.loss = loss
            self.rawLoss = rawLoss
        }
    }

    /// The sweep that ran.
    public var sweep: LearningRateSweep
    /// Every step taken, in order.
    public var points: [Point]
    /// Whether the sweep ended before `numTraining` steps because the loss diverged.
    public var stoppedEarly: Bool
    /// Index in ``points`` of the suggestion, or nil when there were too few finite points.
    public var suggestionIndex: Int?

    /// The suggested learning rate: where the smoothed loss falls fastest.
    public var suggestion: Double? { suggestionIndex.map { points[$0].lr } }

    /// A result from its points, with the suggestion computed as Lightning does (see ``steepestDescentIndex(lrs:losses:skipBegin:skipEnd:)``).
    public init(sweep: LearningRateSweep, points: [Point], stoppedEarly: Bool) {
        self.sweep = sweep
        self.points = points
        self.stoppedEarly = stoppedEarly
        suggestionIndex = Self.steepestDescentIndex(lrs: points.map(\.lr), losses: points.map(\.loss))
    }

    /// Lightning's `_LRFinder.suggestion`: drop `skipBegin` points at the start and `skipEnd` at the end, drop
    /// non-finite losses, take the gradient of loss with respect to the learning rate as `torch.gradient` does
    /// (second-order central differences on the uneven grid inside, one-sided at both ends) and return the index
    /// of its most negative value (the first one on a tie). Nil when fewer than two points are left.
    public static func steepestDescentIndex(lrs: [Double], losses: [Double], skipBegin: Int = 10, skipEnd: Int = 1) -> Int? {
        guard lrs.count == losses.count, losses.count > skipBegin + skipEnd else { return nil }
        let kept = (skipBegin..<(losses.count - skipEnd)).filter { losses[$0].isFinite }
        guard kept.count >= 2 else { return nil }
        let x = kept.map { lrs[$0] }, f = kept.map { losses[$0] }
        let n = kept.count
        var gradient = [Double](repeating: 0, count: n)
        gradient[0] = (f[1] - f[0]) / (x[1] - x[0])
        gradient[n - 1] = (f[n - 1] - f[n - 2]) / (x[n - 1] - x[n - 2])
        if n > 2 {
            for i in 1..<(n - 1) {
                let hl = x[i] - x[i - 1], hr = x[i + 1] - x[i]
                gradient[i] = (hl * hl * f[i + 1] - hr * hr * f[i - 1] + (hr * hr - hl * hl) * f[i]) / (hl * hr * (hl + hr))
            }
        }
        var best: Int?
        for i in 0..<n where gradient[i].isFinite && (best == nil || gradient[i] < gradient[best!]) { best = i }
        return best.map { kept[$0] }
    }

    /// The curve as CSV: `step,lr,loss,raw_loss` (loss smoothed), one line per step, numbers as Python prints them.
    public func csv() -> String {
        "step,lr,loss,raw_loss\n" + points.map {
            "\($0.step),\(PythonFormat.repr($0.lr)),\(PythonFormat.repr($0.loss)),\(PythonFormat.repr($0.rawLoss))\n"
        }.joined()
    }

    /// The curve as a picture: smoothed loss against the learning rate (log scale for an exponential sweep), the
    /// suggestion marked.
    public func plot(title: String = "Learning-rate finder") -> SVGPlot {
        var plot = SVGPlot(title: title,
                           xAxis: .init(label: "learning rate", scale: sweep.mode == .exponential ? .log : .linear),
                           leftAxis: .init(label: "loss (smoothed)"))
        plot.series.append(.init(name: "smoothed loss", points: points.map { ($0.lr, $0.loss) }))
        if let index = suggestionIndex {
            let point = points[index]
            plot.markers.append(.init(x: point.lr, y: point.loss,
                                      label: "suggestion " + SVGPlot.formatNumber(point.lr, significantDigits: 3)))
        }
        return plot
    }

    /// Writes ``csv()`` to `csvPath` and ``plot(title:)`` to `plotPath`, each atomically, creating their folders.
    ///
    /// - Throws: ``LoggerError`` naming the file that could not be written.
    public func write(csvPath: String, plotPath: String) throws(LoggerError) {
        try LogFiles.writeText(csv(), to: csvPath)
        try plot().write(to: plotPath)
    }
}

import Foundation

/// The picture of a run's `metrics.csv`: every loss column against the step on the left axis (per-step training
/// loss as a line; validation and per-epoch values, logged at the step they were measured, with dots) and every
/// learning-rate column (`lr-Adam`, … as ``LearningRateMonitor`` logs them) on a right axis.
public enum MetricsPlot {
    /// The chart of `table`.
    ///
    /// - Throws: ``PlotError/nothingToPlot(path:columns:)`` when no loss or learning-rate column has a value.
    public static func make(_ table: MetricsTable, title: String, source: String) throws(PlotError) -> SVGPlot {
        let metrics = table.columns.filter { $0 != "step" && $0 != "epoch" }
        let losses = metrics.filter { $0.lowercased().contains("loss") }.sorted { order($0) < order($1) }
        let rates = metrics.filter(isLearningRate)
        var plot = SVGPlot(title: title, xAxis: .init(label: "step (optimizer steps)"), leftAxis: .init(label: "loss"),
                           rightAxis: rates.isEmpty ? nil : .init(label: "learning rate"))
        for name in losses {
            let points = table.series(name)
            guard !points.isEmpty else { continue }
            let sparse = name.contains("val") || name.contains("test") || name.hasSuffix("_epoch") || points.count <= 30
            let means = meanPerStep(points)
            plot.series.append(.init(name: name + (means.count < points.count ? " (mean per step)" : ""),
                                     points: means.map { (Double($0.step), $0.value) }, showsPoints: sparse))
        }
        for name in rates {
            let points = table.series(name)
            guard !points.isEmpty else { continue }
            plot.series.append(.init(name: name, points: points.map { (Double($0.step), $0.value) }, side: .right))
        }
        guard !plot.series.isEmpty else { throw .nothingToPlot(path: source, columns: table.columns) }
        return plot
    }

    /// Reads `<logDirectory>/metrics.csv` and writes its chart to `output` (default `<logDirectory>/metrics.svg`).
    /// Returns the path written.
    ///
    /// - Throws: ``PlotError`` for a missing or malformed file or nothing to draw, ``LoggerError`` when the picture
    ///   cannot be written.
    @discardableResult
    public static func write(logDirectory: String, to output: String? = nil) throws -> String {
        let csv = logDirectory + "/metrics.csv"
        let table = try MetricsTable(path: csv)
        let name = (logDirectory as NSString).standardizingPath
        let title = "Training curves: " + ((name as NSString).pathComponents.suffix(2).joined(separator: "/"))
        let path = output ?? logDirectory + "/metrics.svg"
        try make(table, title: title, source: csv).write(to: path)
        return path
    }

    /// One value per step: the mean of the rows logged at that step (under gradient accumulation every micro-batch
    /// logs its loss at the same optimizer step; drawn one by one they would make vertical strokes). Non-finite
    /// values are left out of the mean.
    static func meanPerStep(_ points: [(step: Int, value: Double)]) -> [(step: Int, value: Double)] {
        var result: [(step: Int, value: Double)] = []
        var sum = 0.0, count = 0, finite = 0
        func flush(_ step: Int) {
            result.append((step, finite > 0 ? sum / Double(finite) : .nan))
            sum = 0; count = 0; finite = 0
        }
        for (i, point) in points.enumerated() {
            if i > 0 && point.step != points[i - 1].step { flush(points[i - 1].step) }
            count += 1
            if point.value.isFinite { sum += point.value; finite += 1 }
        }
        if let last = points.last, count > 0 { flush(last.step) }
        return result
    }

    /// Learning-rate columns: `lr`, `learning_rate`, and Lightning's `lr-<Optimizer>[...]`.
    static func isLearningRate(_ name: String) -> Bool {
        name == "lr" || name == "learning_rate" || name.hasPrefix("lr-") || name.hasPrefix("lr_")
    }

    /// Training loss first, then validation, then the rest.
    private static func order(_ name: String) -> (Int, String) {
        if name.hasPrefix("train") { return (name.hasSuffix("_epoch") ? 1 : 0, name) }
        if name.hasPrefix("val") { return (2, name) }
        return (3, name)
    }
}

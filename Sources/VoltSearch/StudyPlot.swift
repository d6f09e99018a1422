import Foundation
import Volt

/// An SVG picture of a study: the optimisation history (each finished trial's value by number, pruned trials in grey
/// at their last reported value, and the best value so far as a step line) beside the parameter importances as bars.
public enum StudyPlot {
    /// The SVG text.
    public static func svg(trials: [TrialRecord], direction: StudyDirection, importances: [String: Double], title: String) -> String {
        let width = 960.0, height = 420.0
        let plot = (x: 70.0, y: 50.0, w: 470.0, h: 310.0)
        var svg = SVGWriter()
        svg.open("svg", ["xmlns": "http://www.w3.org/2000/svg", "width": "\(Int(width))", "height": "\(Int(height))",
                         "font-family": "sans-serif", "font-size": "12"])
        svg.element("rect", ["width": "100%", "height": "100%", "fill": "white"])
        svg.text(title, at: (width / 2, 24), ["text-anchor": "middle", "font-size": "16"])
        svg.text("Optimization history", at: (plot.x + plot.w / 2, 42), ["text-anchor": "middle"])
        let points = trials.compactMap { t -> (Int, Double, Bool)? in
            switch t.state {
            case .complete: return t.value.flatMap { $0.isFinite ? (t.number, $0, false) : nil }
            case .pruned:
                let v = t.value ?? t.lastStep.flatMap { t.intermediateValues[$0] }
                return v.flatMap { $0.isFinite ? (t.number, $0, true) : nil }
            default: return nil
            }
        }
        svg.element("rect", ["x": fmt(plot.x), "y": fmt(plot.y), "width": fmt(plot.w), "height": fmt(plot.h),
                             "fill": "none", "stroke": "#888"])
        if let lo = points.map(\.1).min(), let hi = points.map(\.1).max(), let last = trials.map(\.number).max() {
            let span = hi > lo ? hi - lo : 1
            func px(_ n: Int) -> Double { plot.x + 10 + (plot.w - 20) * Double(n) / Double(max(last, 1)) }
            func py(_ v: Double) -> Double { plot.y + plot.h - 10 - (plot.h - 20) * (v - lo) / span }
            var best: Double?
            var line: [String] = []
            for (n, v, pruned) in points.sorted(by: { $0.0 < $1.0 }) where !pruned {
                if let b = best, !direction.isBetter(v, than: b) {} else { best = v }
                if let b = best { line.append("\(fmt(px(n))),\(fmt(py(b)))") }
            }
            if !line.isEmpty {
                svg.element("polyline", ["points": line.joined(separator: " "), "fill": "none", "stroke": "#d62728",
                                         "stroke-width": "2"])
            }
            for (n, v, pruned) in points {
                svg.open("circle", ["cx": fmt(px(n)), "cy": fmt(py(v)), "r": "4", "fill": pruned ? "#bbbbbb" : "#1f77b4"])
                svg.element("title", [:], content: "trial \(n): \(v)")
                svg.close("circle")
            }
            for k in 0...4 {
                let v = lo + span * Double(k) / 4
                svg.text(String(format: "%.4g", v), at: (plot.x - 6, py(v)), ["text-anchor": "end"])
            }
            svg.text("0", at: (plot.x, plot.y + plot.h + 18), [:])
            svg.text("\(last)", at: (plot.x + plot.w, plot.y + plot.h + 18), ["text-anchor": "end"])
        }
        svg.text("trial (blue: complete, grey: pruned, red: best so far)", at: (plot.x + plot.w / 2, plot.y + plot.h + 34),
                 ["text-anchor": "middle"])
        let bars = (x: 700.0, y: 60.0, w: 220.0)
        svg.text("Parameter importance", at: (bars.x + bars.w / 2 - 60, 42), ["text-anchor": "middle"])
        let sorted = importances.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        if sorted.isEmpty { svg.text("(needs 2 complete trials)", at: (bars.x - 100, bars.y + 20), [:]) }
        for (i, (name, v)) in sorted.enumerated() {
            let y = bars.y + Double(i) * 28
            svg.text(name, at: (bars.x - 6, y + 14), ["text-anchor": "end"])
            svg.element("rect", ["x": fmt(bars.x), "y": fmt(y), "width": fmt(max(1, bars.w * v)), "height": "18", "fill": "#2ca02c"])
            svg.text(String(format: "%.2f", v), at: (bars.x + bars.w * v + 4, y + 14), [:])
        }
        svg.text(ParameterImportance.method, at: (bars.x - 100, plot.y + plot.h + 34), [:])
        svg.close("svg")
        return svg.document
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}

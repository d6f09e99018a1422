import Foundation

/// An SVG picture of a study: the optimisation history (each finished trial's value by number, pruned trials in grey
/// at their last reported value, and the best value so far as a step line) beside the parameter importances as bars.
public enum StudyPlot {
    /// The SVG text.
    public static func svg(trials: [TrialRecord], direction: StudyDirection, importances: [String: Double], title: String) -> String {
        let width = 960.0, height = 420.0
        let plot = (x: 70.0, y: 50.0, w: 470.0, h: 310.0)
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(width / 2))" y="24" text-anchor="middle" font-size="16">\(escape(title))</text>
            <text x="\(plot.x + plot.w / 2)" y="42" text-anchor="middle">Optimization history</text>

            """
        let points = trials.compactMap { t -> (Int, Double, Bool)? in
            switch t.state {
            case .complete: return t.value.flatMap { $0.isFinite ? (t.number, $0, false) : nil }
            case .pruned:
                let v = t.value ?? t.lastStep.flatMap { t.intermediateValues[$0] }
                return v.flatMap { $0.isFinite ? (t.number, $0, true) : nil }
            default: return nil
            }
        }
        out += "<rect x=\"\(plot.x)\" y=\"\(plot.y)\" width=\"\(plot.w)\" height=\"\(plot.h)\" fill=\"none\" stroke=\"#888\"/>\n"
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
            if !line.isEmpty { out += "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n" }
            for (n, v, pruned) in points {
                out += "<circle cx=\"\(fmt(px(n)))\" cy=\"\(fmt(py(v)))\" r=\"4\" fill=\"\(pruned ? "#bbbbbb" : "#1f77b4")\"><title>trial \(n): \(v)</title></circle>\n"
            }
            for k in 0...4 {
                let v = lo + span * Double(k) / 4
                out += "<text x=\"\(plot.x - 6)\" y=\"\(fmt(py(v)) )\" text-anchor=\"end\">\(String(format: "%.4g", v))</text>\n"
            }
            out += "<text x=\"\(plot.x)\" y=\"\(plot.y + plot.h + 18)\">0</text><text x=\"\(plot.x + plot.w)\" y=\"\(plot.y + plot.h + 18)\" text-anchor=\"end\">\(last)</text>\n"
        }
        out += "<text x=\"\(plot.x + plot.w / 2)\" y=\"\(plot.y + plot.h + 34)\" text-anchor=\"middle\">trial (blue: complete, grey: pruned, red: best so far)</text>\n"

        let bars = (x: 700.0, y: 60.0, w: 220.0)
        out += "<text x=\"\(bars.x + bars.w / 2 - 60)\" y=\"42\" text-anchor=\"middle\">Parameter importance</text>\n"
        let sorted = importances.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        if sorted.isEmpty { out += "<text x=\"\(bars.x - 100)\" y=\"\(bars.y + 20)\">(needs 2 complete trials)</text>\n" }
        for (i, (name, v)) in sorted.enumerated() {
            let y = bars.y + Double(i) * 28
            out += "<text x=\"\(bars.x - 6)\" y=\"\(y + 14)\" text-anchor=\"end\">\(escape(name))</text>"
            out += "<rect x=\"\(bars.x)\" y=\"\(y)\" width=\"\(fmt(max(1, bars.w * v)))\" height=\"18\" fill=\"#2ca02c\"/>"
            out += "<text x=\"\(fmt(bars.x + bars.w * v + 4))\" y=\"\(y + 14)\">\(String(format: "%.2f", v))</text>\n"
        }
        out += "<text x=\"\(bars.x - 100)\" y=\"\(plot.y + plot.h + 34)\">\(escape(ParameterImportance.method))</text>\n"
        return out + "</svg>\n"
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

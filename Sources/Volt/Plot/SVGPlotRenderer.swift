import Foundation

/// Lays out and draws an ``SVGPlot``: the frame, both axes, the series, the marked points and the legend.
struct SVGPlotRenderer {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#e377c2", "#7f7f7f"]
    static let markerColor = "#d62728"

    /// A legend line.
    struct LegendEntry {
        var name: String
        var color: String
        var dashed = false
        var dots = false
        var ring = false
    }

    let plot: SVGPlot
    let hasRight: Bool
    /// The plot area in pixels.
    let x0: Double, x1: Double, y0: Double, y1: Double
    let x: PlotScale, yLeft: PlotScale, yRight: PlotScale

    init(_ plot: SVGPlot) {
        self.plot = plot
        hasRight = plot.rightAxis != nil && plot.series.contains { $0.side == .right }
        x0 = 92
        x1 = Double(plot.width) - (hasRight ? 92 : 32)
        y0 = 56
        y1 = Double(plot.height) - 64
        x = PlotScale(values: plot.series.flatMap(\.xs) + plot.markers.map(\.x), scale: plot.xAxis.scale)
        yLeft = PlotScale(values: plot.series.filter { $0.side == .left }.flatMap(\.ys) + plot.markers.map(\.y),
                          scale: plot.leftAxis.scale)
        yRight = PlotScale(values: plot.series.filter { $0.side == .right }.flatMap(\.ys), scale: plot.rightAxis?.scale ?? .linear)
    }

    func px(_ v: Double) -> Double { x0 + x.fraction(v) * (x1 - x0) }
    func py(_ v: Double, _ scale: PlotScale) -> Double { y1 - scale.fraction(v) * (y1 - y0) }

    func render() -> String {
        var out = SVGWriter()
        out.open("svg", ["xmlns": "http://www.w3.org/2000/svg", "width": "\(plot.width)", "height": "\(plot.height)",
                         "viewBox": "0 0 \(plot.width) \(plot.height)", "font-family": "DejaVu Sans, Helvetica, Arial, sans-serif"])
        out.element("rect", ["width": "100%", "height": "100%", "fill": "white"])
        out.text(plot.title, at: (Double(plot.width) / 2, 30),
                 ["font-size": "17", "font-weight": "bold", "text-anchor": "middle", "class": "title"])
        drawXAxis(&out)
        drawYAxis(&out, scale: yLeft, axis: plot.leftAxis, side: .left)
        if hasRight, let axis = plot.rightAxis { drawYAxis(&out, scale: yRight, axis: axis, side: .right) }
        out.element("rect", ["x": f(x0), "y": f(y0), "width": f(x1 - x0), "height": f(y1 - y0), "fill": "none", "stroke": "black"])
        var legend = drawSeries(&out)
        legend += drawMarkers(&out)
        drawLegend(&out, legend)
        out.close("svg")
        return out.document
    }

    private func drawXAxis(_ out: inout SVGWriter) {
        out.open("g", ["class": "x-axis", "font-size": "12"])
        for tick in x.ticks {
            let p = px(tick.value)
            guard p >= x0 - 0.5 && p <= x1 + 0.5 else { continue }
            if let label = tick.label {
                out.element("line", ["x1": f(p), "y1": f(y0), "x2": f(p), "y2": f(y1), "stroke": "#e4e4e4"])
                out.element("line", ["x1": f(p), "y1": f(y1), "x2": f(p), "y2": f(y1 + 6), "stroke": "black"])
                out.text(label, at: (p, y1 + 21), ["text-anchor": "middle"])
            } else {
                out.element("line", ["x1": f(p), "y1": f(y1), "x2": f(p), "y2": f(y1 + 3), "stroke": "black"])
            }
        }
        out.text(plot.xAxis.label, at: ((x0 + x1) / 2, Double(plot.height) - 18),
                 ["font-size": "14", "text-anchor": "middle", "class": "axis-label"])
        out.close("g")
    }

    private func drawYAxis(_ out: inout SVGWriter, scale: PlotScale, axis: SVGPlot.Axis, side: SVGPlot.Side) {
        let edge = side == .left ? x0 : x1
        let direction = side == .left ? -1.0 : 1.0
        out.open("g", ["class": side == .left ? "y-axis" : "y-axis-right", "font-size": "12"])
        for tick in scale.ticks {
            let p = py(tick.value, scale)
            guard p >= y0 - 0.5 && p <= y1 + 0.5 else { continue }
            if let label = tick.label {
                if side == .left { out.element("line", ["x1": f(x0), "y1": f(p), "x2": f(x1), "y2": f(p), "stroke": "#e4e4e4"]) }
                out.element("line", ["x1": f(edge), "y1": f(p), "x2": f(edge + 6 * direction), "y2": f(p), "stroke": "black"])
                out.text(label, at: (edge + 9 * direction, p + 4), ["text-anchor": side == .left ? "end" : "start"])
            } else {
                out.element("line", ["x1": f(edge), "y1": f(p), "x2": f(edge + 3 * direction), "y2": f(p), "stroke": "black"])
            }
        }
        let lx = side == .left ? 22.0 : Double(plot.width) - 16, ly = (y0 + y1) / 2
        out.text(axis.label, at: (lx, ly), ["font-size": "14", "text-anchor": "middle", "class": "axis-label",
                                            "transform": "rotate(\(side == .left ? -90 : 90) \(f(lx)) \(f(ly)))"])
        out.close("g")
    }

    /// One polyline per series (through its drawable points only), dots where asked; returns the legend lines.
    private func drawSeries(_ out: inout SVGWriter) -> [LegendEntry] {
        var legend: [LegendEntry] = []
        for (i, series) in plot.series.enumerated() {
            let right = series.side == .right && hasRight
            let scale = right ? yRight : yLeft
            let points = zip(series.xs, series.ys).filter { x.accepts($0.0) && scale.accepts($0.1) }
            guard !points.isEmpty else { continue }
            let color = Self.palette[i % Self.palette.count]
            out.open("g", ["class": "series", "data-name": series.name])
            var line = ["points": points.map { "\(f(px($0.0))),\(f(py($0.1, scale)))" }.joined(separator: " "),
                        "fill": "none", "stroke": color, "stroke-width": "1.8", "stroke-linejoin": "round"]
            if right { line["stroke-dasharray"] = "7 4" }
            out.element("polyline", line)
            if series.showsPoints {
                for (vx, vy) in points { out.element("circle", ["cx": f(px(vx)), "cy": f(py(vy, scale)), "r": "3.2", "fill": color]) }
            }
            out.close("g")
            legend.append(LegendEntry(name: series.name + (right ? " (right axis)" : ""), color: color, dashed: right,
                                      dots: series.showsPoints))
        }
        return legend
    }

    /// A ring and a label at each marked point; returns the legend lines.
    private func drawMarkers(_ out: inout SVGWriter) -> [LegendEntry] {
        var legend: [LegendEntry] = []
        for marker in plot.markers where x.accepts(marker.x) && yLeft.accepts(marker.y) {
            let (mx, my) = (px(marker.x), py(marker.y, yLeft))
            out.open("g", ["class": "marker"])
            out.element("circle", ["cx": f(mx), "cy": f(my), "r": "6", "fill": "none", "stroke": Self.markerColor,
                                   "stroke-width": "2.5"])
            let toTheLeft = mx > (x0 + x1) / 2
            out.text(marker.label, at: (mx + (toTheLeft ? -10 : 10), my - 10),
                     ["font-size": "13", "fill": Self.markerColor, "text-anchor": toTheLeft ? "end" : "start"])
            out.close("g")
            legend.append(LegendEntry(name: marker.label, color: Self.markerColor, ring: true))
        }
        return legend
    }

    /// The legend box, top right inside the plot area.
    private func drawLegend(_ out: inout SVGWriter, _ entries: [LegendEntry]) {
        guard !entries.isEmpty else { return }
        let widest = entries.map { Double($0.name.count) }.max() ?? 0
        let width = 46 + widest * 7.2, height = Double(entries.count) * 20 + 10
        let bx = x1 - width - 10, by = y0 + 10
        out.open("g", ["class": "legend", "font-size": "12"])
        out.element("rect", ["x": f(bx), "y": f(by), "width": f(width), "height": f(height), "fill": "white",
                             "fill-opacity": "0.9", "stroke": "#999999"])
        for (i, entry) in entries.enumerated() {
            let ly = by + 17 + Double(i) * 20
            if entry.ring {
                out.element("circle", ["cx": f(bx + 21), "cy": f(ly - 4), "r": "5", "fill": "none", "stroke": entry.color,
                                       "stroke-width": "2.5"])
            } else {
                var line = ["x1": f(bx + 8), "y1": f(ly - 4), "x2": f(bx + 34), "y2": f(ly - 4), "stroke": entry.color,
                            "stroke-width": "2"]
                if entry.dashed { line["stroke-dasharray"] = "7 4" }
                out.element("line", line)
                if entry.dots { out.element("circle", ["cx": f(bx + 21), "cy": f(ly - 4), "r": "3.2", "fill": entry.color]) }
            }
            out.text(entry.name, at: (bx + 40, ly), ["class": "legend-entry"])
        }
        out.close("g")
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

import Foundation

/// A line chart written as SVG: a title, an x axis, a left y axis and optionally a right one (each with ticks,
/// numbers and a label), one polyline per series, marked points, and a legend.
///
/// Written by Volt itself, so plots need no plotting library; any browser or `rsvg-convert` shows them.
/// Non-finite values (and values ≤ 0 on a log axis) are left out of a series' line.
public struct SVGPlot: Sendable {
    /// How an axis maps values.
    public enum Scale: String, Sendable { case linear, log }

    /// An axis: its label and scale.
    public struct Axis: Sendable {
        public var label: String
        public var scale: Scale
        /// An axis.
        public init(label: String, scale: Scale = .linear) {
            self.label = label
            self.scale = scale
        }
    }

    /// Which y axis a series is read against.
    public enum Side: String, Sendable { case left, right }

    /// A named line.
    public struct Series: Sendable {
        public var name: String
        public var xs: [Double]
        public var ys: [Double]
        public var side: Side
        /// Whether each point also gets a dot (for sparse series such as per-epoch validation loss).
        public var showsPoints: Bool

        /// A series of `(x, y)` points, drawn in order.
        public init(name: String, points: [(Double, Double)], side: Side = .left, showsPoints: Bool = false) {
            self.name = name
            xs = points.map(\.0)
            ys = points.map(\.1)
            self.side = side
            self.showsPoints = showsPoints
        }
    }

    /// A highlighted point with a label (the learning-rate finder's suggestion).
    public struct Marker: Sendable {
        public var x: Double
        public var y: Double
        public var label: String
        /// A marker, read against the left axis.
        public init(x: Double, y: Double, label: String) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    public var title: String
    public var xAxis: Axis
    public var leftAxis: Axis
    /// The right axis; series on the right side need it.
    public var rightAxis: Axis?
    public var series: [Series] = []
    public var markers: [Marker] = []
    /// Picture size in pixels.
    public var width = 900
    public var height = 540

    /// An empty chart.
    public init(title: String, xAxis: Axis, leftAxis: Axis, rightAxis: Axis? = nil) {
        self.title = title
        self.xAxis = xAxis
        self.leftAxis = leftAxis
        self.rightAxis = rightAxis
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#e377c2", "#7f7f7f"]
    static let markerColor = "#d62728"

    /// The SVG document.
    public func render() -> String {
        let hasRight = rightAxis != nil && series.contains { $0.side == .right }
        let left = 92.0, right = hasRight ? 92.0 : 32.0, top = 56.0, bottom = 64.0
        let area = (x0: left, x1: Double(width) - right, y0: top, y1: Double(height) - bottom)
        let x = PlotScale(values: series.flatMap(\.xs) + markers.map(\.x), scale: xAxis.scale)
        let yLeft = PlotScale(values: series.filter { $0.side == .left }.flatMap(\.ys) + markers.map(\.y), scale: leftAxis.scale)
        let yRight = PlotScale(values: series.filter { $0.side == .right }.flatMap(\.ys), scale: rightAxis?.scale ?? .linear)
        func px(_ v: Double) -> Double { area.x0 + x.fraction(v) * (area.x1 - area.x0) }
        func py(_ v: Double, _ s: PlotScale) -> Double { area.y1 - s.fraction(v) * (area.y1 - area.y0) }

        var out = SVGWriter()
        out.open("svg", ["xmlns": "http://www.w3.org/2000/svg", "width": "\(width)", "height": "\(height)",
                         "viewBox": "0 0 \(width) \(height)", "font-family": "DejaVu Sans, Helvetica, Arial, sans-serif"])
        out.element("rect", ["width": "100%", "height": "100%", "fill": "white"])
        out.text(title, at: (Double(width) / 2, 30), ["font-size": "17", "font-weight": "bold", "text-anchor": "middle", "class": "title"])

        // Grid and ticks.
        out.open("g", ["class": "x-axis", "font-size": "12"])
        for tick in x.ticks {
            let p = px(tick.value)
            guard p >= area.x0 - 0.5 && p <= area.x1 + 0.5 else { continue }
            if let label = tick.label {
                out.element("line", ["x1": f(p), "y1": f(area.y0), "x2": f(p), "y2": f(area.y1), "stroke": "#e4e4e4"])
                out.element("line", ["x1": f(p), "y1": f(area.y1), "x2": f(p), "y2": f(area.y1 + 6), "stroke": "black"])
                out.text(label, at: (p, area.y1 + 21), ["text-anchor": "middle"])
            } else {
                out.element("line", ["x1": f(p), "y1": f(area.y1), "x2": f(p), "y2": f(area.y1 + 3), "stroke": "black"])
            }
        }
        out.text(xAxis.label, at: ((area.x0 + area.x1) / 2, Double(height) - 18),
                 ["font-size": "14", "text-anchor": "middle", "class": "axis-label"])
        out.close("g")
        drawYAxis(&out, scale: yLeft, axis: leftAxis, side: .left, area: area, grid: true)
        if hasRight, let rightAxis { drawYAxis(&out, scale: yRight, axis: rightAxis, side: .right, area: area, grid: false) }
        out.element("rect", ["x": f(area.x0), "y": f(area.y0), "width": f(area.x1 - area.x0), "height": f(area.y1 - area.y0),
                             "fill": "none", "stroke": "black"])

        // Series.
        var legend: [(name: String, color: String, dashed: Bool, dots: Bool)] = []
        for (i, s) in series.enumerated() {
            let yScale = s.side == .right && hasRight ? yRight : yLeft
            let points = zip(s.xs, s.ys).filter { x.accepts($0.0) && yScale.accepts($0.1) }
            guard !points.isEmpty else { continue }
            let color = Self.palette[i % Self.palette.count]
            let dashed = s.side == .right && hasRight
            out.open("g", ["class": "series", "data-name": s.name])
            var attributes = ["points": points.map { "\(f(px($0.0))),\(f(py($0.1, yScale)))" }.joined(separator: " "),
                              "fill": "none", "stroke": color, "stroke-width": "1.8", "stroke-linejoin": "round"]
            if dashed { attributes["stroke-dasharray"] = "7 4" }
            out.element("polyline", attributes)
            if s.showsPoints {
                for (vx, vy) in points { out.element("circle", ["cx": f(px(vx)), "cy": f(py(vy, yScale)), "r": "3.2", "fill": color]) }
            }
            out.close("g")
            legend.append((s.name + (dashed ? " (right axis)" : ""), color, dashed, s.showsPoints))
        }

        // Marked points.
        for marker in markers where x.accepts(marker.x) && yLeft.accepts(marker.y) {
            let (mx, my) = (px(marker.x), py(marker.y, yLeft))
            out.open("g", ["class": "marker"])
            out.element("circle", ["cx": f(mx), "cy": f(my), "r": "6", "fill": "none", "stroke": Self.markerColor, "stroke-width": "2.5"])
            let anchor = mx > (area.x0 + area.x1) / 2 ? "end" : "start"
            out.text(marker.label, at: (mx + (anchor == "end" ? -10 : 10), my - 10),
                     ["font-size": "13", "fill": Self.markerColor, "text-anchor": anchor])
            out.close("g")
            legend.append((marker.label, Self.markerColor, false, true))
        }

        // Legend, top right inside the plot area.
        if !legend.isEmpty {
            let widest = legend.map { Double($0.name.count) }.max() ?? 0
            let boxWidth = 46 + widest * 7.2, boxHeight = Double(legend.count) * 20 + 10
            let bx = area.x1 - boxWidth - 10, by = area.y0 + 10
            out.open("g", ["class": "legend", "font-size": "12"])
            out.element("rect", ["x": f(bx), "y": f(by), "width": f(boxWidth), "height": f(boxHeight), "fill": "white",
                                 "fill-opacity": "0.9", "stroke": "#999999"])
            for (i, entry) in legend.enumerated() {
                let ly = by + 17 + Double(i) * 20
                if entry.name == markers.first?.label && entry.color == Self.markerColor {
                    out.element("circle", ["cx": f(bx + 21), "cy": f(ly - 4), "r": "5", "fill": "none", "stroke": entry.color, "stroke-width": "2.5"])
                } else {
                    var line = ["x1": f(bx + 8), "y1": f(ly - 4), "x2": f(bx + 34), "y2": f(ly - 4), "stroke": entry.color, "stroke-width": "2"]
                    if entry.dashed { line["stroke-dasharray"] = "7 4" }
                    out.element("line", line)
                    if entry.dots { out.element("circle", ["cx": f(bx + 21), "cy": f(ly - 4), "r": "3.2", "fill": entry.color]) }
                }
                out.text(entry.name, at: (bx + 40, ly), ["class": "legend-entry"])
            }
            out.close("g")
        }
        out.close("svg")
        return out.document
    }

    private func drawYAxis(_ out: inout SVGWriter, scale: PlotScale, axis: Axis, side: Side,
                           area: (x0: Double, x1: Double, y0: Double, y1: Double), grid: Bool) {
        let edge = side == .left ? area.x0 : area.x1
        let direction = side == .left ? -1.0 : 1.0
        out.open("g", ["class": side == .left ? "y-axis" : "y-axis-right", "font-size": "12"])
        for tick in scale.ticks {
            let p = area.y1 - scale.fraction(tick.value) * (area.y1 - area.y0)
            guard p >= area.y0 - 0.5 && p <= area.y1 + 0.5 else { continue }
            if let label = tick.label {
                if grid { out.element("line", ["x1": f(area.x0), "y1": f(p), "x2": f(area.x1), "y2": f(p), "stroke": "#e4e4e4"]) }
                out.element("line", ["x1": f(edge), "y1": f(p), "x2": f(edge + 6 * direction), "y2": f(p), "stroke": "black"])
                out.text(label, at: (edge + 9 * direction, p + 4), ["text-anchor": side == .left ? "end" : "start"])
            } else {
                out.element("line", ["x1": f(edge), "y1": f(p), "x2": f(edge + 3 * direction), "y2": f(p), "stroke": "black"])
            }
        }
        let lx = side == .left ? 22.0 : Double(width) - 16
        let ly = (area.y0 + area.y1) / 2
        out.text(axis.label, at: (lx, ly), ["font-size": "14", "text-anchor": "middle", "class": "axis-label",
                                            "transform": "rotate(\(side == .left ? -90 : 90) \(f(lx)) \(f(ly)))"])
        out.close("g")
    }

    /// Writes ``render()`` to `path` atomically, creating its folder.
    ///
    /// - Throws: ``LoggerError`` naming the path.
    public func write(to path: String) throws(LoggerError) {
        try LogFiles.writeText(render(), to: path)
    }

    /// `value` with `significantDigits` significant digits, in plain or scientific notation as C's `%g` picks
    /// (`0.000316`, `3.16e-05`).
    public static func formatNumber(_ value: Double, significantDigits: Int) -> String {
        String(format: "%.\(Swift.max(1, significantDigits))g", value)
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// Builds an SVG document: elements with escaped attributes and text.
struct SVGWriter {
    private(set) var document = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var depth = 0

    mutating func open(_ name: String, _ attributes: [String: String]) {
        document += String(repeating: "  ", count: depth) + "<\(name)\(Self.attributes(attributes))>\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        document += String(repeating: "  ", count: depth) + "</\(name)>\n"
    }

    mutating func element(_ name: String, _ attributes: [String: String]) {
        document += String(repeating: "  ", count: depth) + "<\(name)\(Self.attributes(attributes))/>\n"
    }

    mutating func text(_ content: String, at point: (Double, Double), _ attributes: [String: String]) {
        var all = attributes
        all["x"] = String(format: "%.1f", point.0)
        all["y"] = String(format: "%.1f", point.1)
        document += String(repeating: "  ", count: depth) + "<text\(Self.attributes(all))>\(Self.escape(content))</text>\n"
    }

    /// Attributes in a fixed (sorted) order, so the same plot is the same file.
    private static func attributes(_ attributes: [String: String]) -> String {
        attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}

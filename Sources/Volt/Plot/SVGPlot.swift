import Foundation

/// A line chart written as SVG: a title, an x axis, a left y axis and optionally a right one (each with ticks,
/// numbers and a label), one polyline per series, marked points, and a legend.
///
/// Written by Volt itself, so plots need no plotting library; any browser or `rsvg-convert` shows them.
/// Non-finite values (and values ≤ 0 on a log axis) are left out of a series' line.
public struct SVGPlot: Sendable {
    /// How an axis maps values.
    public enum Scale: String, Sendable {
        /// Evenly spaced values.
        case linear
        /// Evenly spaced powers of ten (values ≤ 0 are not drawn).
        case log
    }

    /// An axis: its label and scale.
    public struct Axis: Sendable {
        /// The text along the axis.
        public var label: String
        /// Linear or logarithmic.
        public var scale: Scale
        /// An axis.
        public init(label: String, scale: Scale = .linear) {
            self.label = label
            self.scale = scale
        }
    }

    /// Which y axis a series is read against.
    public enum Side: String, Sendable {
        /// The left axis.
        case left
        /// The right axis.
        case right
    }

    /// A named line.
    public struct Series: Sendable {
        /// The legend text.
        public var name: String
        /// The x of each point.
        public var xs: [Double]
        /// The y of each point.
        public var ys: [Double]
        /// The y axis it is read against.
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
        /// Where it is: the x coordinate, in data units.
        public var x: Double
        /// The y coordinate, in data units of the left axis.
        public var y: Double
        /// The text beside it and in the legend.
        public var label: String
        /// A marker, read against the left axis.
        public init(x: Double, y: Double, label: String) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    /// The heading.
    public var title: String
    /// The horizontal axis.
    public var xAxis: Axis
    /// The y axis on the left.
    public var leftAxis: Axis
    /// The right axis; series on the right side need it.
    public var rightAxis: Axis?
    /// The lines, drawn in order.
    public var series: [Series] = []
    /// The highlighted points.
    public var markers: [Marker] = []
    /// Picture width in pixels.
    public var width = 900
    /// Picture height in pixels.
    public var height = 540

    /// An empty chart.
    public init(title: String, xAxis: Axis, leftAxis: Axis, rightAxis: Axis? = nil) {
        self.title = title
        self.xAxis = xAxis
        self.leftAxis = leftAxis
        self.rightAxis = rightAxis
    }

    /// The SVG document.
    public func render() -> String { SVGPlotRenderer(self).render() }

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
}

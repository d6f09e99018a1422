import Foundation

/// One axis's extent and ticks, and the map from data values to pixels.
struct PlotScale {
    /// Ticks that carry a number, and unlabelled minor ticks (decade sub-divisions of a log axis).
    struct Tick {
        var value: Double
        var label: String?
    }

    let scale: SVGPlot.Scale
    /// The extent, in data units (log axes: the values themselves, not their logarithms).
    let lower: Double
    let upper: Double
    let ticks: [Tick]

    /// An axis covering `values` (non-finite values, and values ≤ 0 on a log axis, are left out), widened to whole
    /// tick steps: 1, 2 or 5 × 10ⁿ on a linear axis, decades on a log axis.
    init(values: [Double], scale: SVGPlot.Scale) {
        self.scale = scale
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        switch scale {
        case .linear:
            var low = usable.min() ?? 0, high = usable.max() ?? 1
            if low == high {
                let pad = low == 0 ? 1 : abs(low) * 0.1
                low -= pad
                high += pad
            }
            let step = Self.niceStep((high - low) / 5)
            low = (low / step).rounded(.down) * step
            high = (high / step).rounded(.up) * step
            lower = low
            upper = high
            let count = Int(((high - low) / step).rounded())
            ticks = (0...count).map { i in
                let v = low + Double(i) * step
                return Tick(value: v, label: Self.label(abs(v) < step * 1e-9 ? 0 : v, step: step))
            }
        case .log:
            var low = (log10(usable.min() ?? 1)).rounded(.down), high = (log10(usable.max() ?? 10)).rounded(.up)
            if low == high { high = low + 1 }
            lower = pow(10, low)
            upper = pow(10, high)
            let decades = Int(high - low)
            let every = Swift.max(1, Int((Double(decades) / 8).rounded(.up)))
            var ticks: [Tick] = []
            for d in 0...decades {
                let exponent = Int(low) + d
                ticks.append(Tick(value: pow(10, Double(exponent)), label: d % every == 0 ? Self.decadeLabel(exponent) : nil))
                if d < decades && decades <= 4 {
                    for m in 2...9 { ticks.append(Tick(value: Double(m) * pow(10, Double(exponent)), label: nil)) }
                }
            }
            self.ticks = ticks
        }
    }

    /// Where `value` falls between 0 (``lower``) and 1 (``upper``).
    func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .log: return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// Whether `value` can be drawn on this axis.
    func accepts(_ value: Double) -> Bool { value.isFinite && (scale == .linear || value > 0) }

    /// 1, 2 or 5 × 10ⁿ, the smallest at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, log10(raw).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * magnitude >= raw * (1 - 1e-12) { return m * magnitude }
        return 10 * magnitude
    }

    /// A tick value printed with as many decimals as the step needs, or in scientific notation when tiny or huge.
    static func label(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        if step >= 1e-4 && abs(value) < 1e6 {
            let decimals = Swift.max(0, Int(-log10(step).rounded(.down)))
            return String(format: "%.\(decimals)f", value)
        }
        return SVGPlot.formatNumber(value, significantDigits: 2)
    }

    /// `0.01`, `1`, `1000` for moderate decades, `1e-5` beyond.
    static func decadeLabel(_ exponent: Int) -> String {
        switch exponent {
        case -3 ..< 0: return String(format: "%.\(-exponent)f", pow(10, Double(exponent)))
        case 0...4: return String(Int(pow(10, Double(exponent))))
        default: return "1e\(exponent)"
        }
    }
}

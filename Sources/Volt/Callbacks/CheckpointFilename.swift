import Foundation

/// Formats checkpoint file names from templates exactly as Lightning's `ModelCheckpoint` does.
///
/// Each `{name` opens a field; with `autoInsertMetricName` it becomes `name={name`; the field is formatted like
/// Python's `str.format` (`{epoch:02d}` → `01`, `{val_loss:.2f}` → `0.42`); a metric that is missing formats
/// as 0. `rabies-{epoch:02d}-{val_loss:.2f}` gives `rabies-epoch=01-val_loss=0.42`.
public enum CheckpointFilename {
    /// The file name (without extension) for `template` and `metrics` (which include `epoch` and `step`).
    public static func format(_ template: String, metrics: [String: Double], autoInsertMetricName: Bool = true,
                              prefix: String = "") -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { result += rest[open...]; rest = ""; break }
            let field = rest[rest.index(after: open)..<close]
            let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]), spec = parts.count > 1 ? String(parts[1]) : ""
            if autoInsertMetricName { result += name + "=" }
            result += formatValue(metrics[name] ?? 0, spec: spec)
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return prefix.isEmpty ? result : prefix + "-" + result
    }

    /// Python format-spec subset: `[[fill]align][0][width][.precision][type]` with types d, f, e, g, %.
    static func formatValue(_ value: Double, spec: String) -> String {
        var s = Substring(spec)
        var fill: Character = " ", align: Character? = nil
        if s.count >= 2, "<>^=".contains(s[s.index(after: s.startIndex)]) {
            fill = s.first!
            align = s[s.index(after: s.startIndex)]
            s = s.dropFirst(2)
        } else if let c = s.first, "<>^=".contains(c) {
            align = c
            s = s.dropFirst()
        }
        if s.first == "0" { fill = "0"; align = align ?? "="; s = s.dropFirst() }
        let width = Int(s.prefix { $0.isNumber }) ?? 0
        s = s.drop { $0.isNumber }
        var precision: Int?
        if s.first == "." { s = s.dropFirst(); precision = Int(s.prefix { $0.isNumber }); s = s.drop { $0.isNumber } }
        let type = s.first
        var body: String
        switch type {
        case "d": body = String(Int(value.rounded(.towardZero)))
        case "f": body = String(format: "%.\(precision ?? 6)f", value)
        case "e": body = String(format: "%.\(precision ?? 6)e", value)
        case "g": body = String(format: "%.\(precision ?? 6)g", value)
        case "%": body = String(format: "%.\(precision ?? 6)f%%", value * 100)
        default:
            // No type: Python prints integers without a fraction and floats with repr.
            body = value == value.rounded() && abs(value) < 1e16 ? String(Int(value)) : String(value)
        }
        guard body.count < width else { return body }
        let pad = String(repeating: fill, count: width - body.count)
        switch align ?? (type == nil || type == "d" || type == "f" || type == "e" || type == "g" ? ">" : "<") {
        case "<": return body + pad
        case "^": return String(pad.prefix(pad.count / 2)) + body + String(pad.suffix(pad.count - pad.count / 2))
        case "=":
            if body.hasPrefix("-") { return "-" + pad + body.dropFirst() }
            return pad + body
        default: return pad + body
        }
    }
}

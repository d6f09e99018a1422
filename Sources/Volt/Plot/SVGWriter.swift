import Foundation

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

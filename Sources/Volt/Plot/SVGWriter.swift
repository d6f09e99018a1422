import Foundation

/// Builds an SVG document: elements with escaped attributes (written in sorted order, so the same picture is the
/// same file) and text. Volt's metric plots and VoltSearch's study plots draw with it.
public struct SVGWriter {
    /// The document so far.
    public private(set) var document = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var depth = 0

    /// An empty document.
    public init() {}

    /// Opens element `name`; ``close(_:)`` ends it.
    public mutating func open(_ name: String, _ attributes: [String: String]) {
        document += String(repeating: "  ", count: depth) + "<\(name)\(Self.attributes(attributes))>\n"
        depth += 1
    }

    /// Closes the innermost open element, `name`.
    public mutating func close(_ name: String) {
        depth -= 1
        document += String(repeating: "  ", count: depth) + "</\(name)>\n"
    }

    /// An empty element.
    public mutating func element(_ name: String, _ attributes: [String: String]) {
        document += String(repeating: "  ", count: depth) + "<\(name)\(Self.attributes(attributes))/>\n"
    }

    /// An element holding only `content` (escaped): a `<title>` tooltip, say.
    public mutating func element(_ name: String, _ attributes: [String: String], content: String) {
        document += String(repeating: "  ", count: depth) + "<\(name)\(Self.attributes(attributes))>\(Self.escape(content))</\(name)>\n"
    }

    /// A `<text>` element at `point` (x, y), its content escaped.
    public mutating func text(_ content: String, at point: (Double, Double), _ attributes: [String: String]) {
        var all = attributes
        all["x"] = String(format: "%.1f", point.0)
        all["y"] = String(format: "%.1f", point.1)
        document += String(repeating: "  ", count: depth) + "<text\(Self.attributes(all))>\(Self.escape(content))</text>\n"
    }

    /// Attributes in a fixed (sorted) order, so the same plot is the same file.
    private static func attributes(_ attributes: [String: String]) -> String {
        attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    /// `text` with XML's special characters escaped.
    public static func escape(_ text: String) -> String {
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

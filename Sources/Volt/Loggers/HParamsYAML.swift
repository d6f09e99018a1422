import Foundation
import VoltInterop

/// Writes `hparams.yaml` the way Lightning does (`save_hparams_to_yaml`, which is PyYAML's `yaml.dump`).
///
/// One `key: value` line per hyper-parameter in sorted key order (`{}` when there are none). Numbers and Booleans
/// are written as PyYAML writes Python's `int`, `float` (`1.0e-05`, `.nan`, `.inf`) and `bool` (`true`);
/// a string is plain when PyYAML would leave it plain, single-quoted when it would read back as another type or
/// starts with an indicator (`'1.0'`, `'yes'`, `''`, `'- x'`), and double-quoted with escapes when it holds line
/// breaks, control or non-ASCII characters. Unlike PyYAML, long strings are never folded over several lines.
public enum HParamsYAML {
    /// The file's text.
    public static func render(_ hparams: [String: HParam]) -> String {
        guard !hparams.isEmpty else { return "{}\n" }
        return hparams.keys.sorted().map { key in
            let value: String = switch hparams[key]! {
            case let .int(v): String(v)
            case let .double(v): float(v)
            case let .bool(v): v ? "true" : "false"
            case let .string(v): string(v)
            }
            return string(key) + ": " + value + "\n"
        }.joined()
    }

    /// Writes ``render(_:)``'s text to `path`.
    public static func write(_ hparams: [String: HParam], to path: String) throws(LoggerError) {
        try LogFiles.write(Data(render(hparams).utf8), to: path)
    }

    /// PyYAML's `represent_float`.
    static func float(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        let text = PythonFormat.repr(value)
        return !text.contains(".") && text.contains("e") ? text.replacingOccurrences(of: "e", with: ".0e") : text
    }

    /// A string scalar in the style PyYAML chooses for a block mapping.
    static func string(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        if scalars.contains(where: { needsDoubleQuotes($0) }) { return doubleQuoted(text) }
        if scalars.isEmpty || resolvesToNonString(text) || !plainAllowed(scalars) {
            return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        }
        return text
    }

    /// Line breaks and characters PyYAML escapes (it writes ASCII unless told `allow_unicode`).
    private static func needsDoubleQuotes(_ c: Unicode.Scalar) -> Bool { !(0x20...0x7E).contains(c.value) }

    /// PyYAML's `analyze_scalar` for a single-line printable ASCII scalar: may it be written plain in block context?
    private static func plainAllowed(_ s: [Unicode.Scalar]) -> Bool {
        let text = String(String.UnicodeScalarView(s))
        if text.hasPrefix("---") || text.hasPrefix("...") { return false }
        if s.first == " " || s.last == " " { return false }
        func followedBySpace(_ i: Int) -> Bool { i + 1 >= s.count || s[i + 1] == " " || s[i + 1] == "\t" }
        for (i, c) in s.enumerated() {
            if i == 0 {
                if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(c) { return false }
                if (c == "?" || c == ":" || c == "-") && followedBySpace(i) { return false }
            } else {
                if c == ":" && followedBySpace(i) { return false }
                if c == "#" && (s[i - 1] == " " || s[i - 1] == "\t") { return false }
            }
        }
        return true
    }

    /// Whether PyYAML's implicit resolvers read the plain text as a bool, int, float, null, timestamp, merge or value.
    private static func resolvesToNonString(_ text: String) -> Bool {
        let patterns = [
            "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
            #"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"#
                + #"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"#,
            "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
            "<<|=|~|null|Null|NULL",
            "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)"
                + #"[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?"#,
        ]
        return patterns.contains { pattern in
            (try? Regex("^(?:" + pattern + ")$").wholeMatch(in: text)) != nil
        }
    }

    /// A double-quoted scalar with PyYAML's escapes.
    private static func doubleQuoted(_ text: String) -> String {
        let named: [UInt32: String] = [0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f",
                                       0x0D: "r", 0x1B: "e", 0x22: "\"", 0x5C: "\\", 0x85: "N", 0xA0: "_",
                                       0x2028: "L", 0x2029: "P"]
        var out = "\""
        for c in text.unicodeScalars {
            if let name = named[c.value] { out += "\\" + name; continue }
            switch c.value {
            case 0x20...0x7E: out.unicodeScalars.append(c)
            case ...0xFF: out += "\\x" + hex(c.value, width: 2)
            case ...0xFFFF: out += "\\u" + hex(c.value, width: 4)
            default: out += "\\U" + hex(c.value, width: 8)
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

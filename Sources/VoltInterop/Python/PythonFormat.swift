import Foundation

/// Text formats of Python's standard library, so Volt's log files (and VoltSearch's Optuna-schema JSON) read
/// exactly as Python writes them: the one float formatter of the package.
public enum PythonFormat {
    /// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation when the decimal exponent is
    /// in -4 ..< 16 (`0.0001`, `123.0`), otherwise scientific with at least two exponent digits (`1e-05`, `1e+16`);
    /// `nan`, `inf`, `-inf`, `-0.0` as Python writes them.
    public static func repr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let sign = value.sign == .minus ? "-" : ""
        guard value != 0 else { return sign + "0.0" }
        // Swift's description also prints the shortest round-trip digits; only the layout differs from Python's.
        let (digits, pointPosition) = shortestDigits(abs(value))
        if pointPosition > -4 && pointPosition <= 16 {
            if pointPosition <= 0 { return sign + "0." + String(repeating: "0", count: -pointPosition) + digits }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let exponent = pointPosition - 1
        let mantissa = digits.count == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        let exponentDigits = String(abs(exponent))
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
            + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
    }

    /// The shortest round-trip decimal digits of a positive finite `value` (no leading or trailing zeros) and the
    /// position of the decimal point: value = 0.d₁d₂… × 10^pointPosition.
    static func shortestDigits(_ value: Double) -> (digits: String, pointPosition: Int) {
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerPart = String(mantissa[0]), fractionPart = mantissa.count == 2 ? String(mantissa[1]) : ""
        var digits = Substring(integerPart + fractionPart)
        var pointPosition = integerPart.count + exponent
        while digits.first == "0" { digits = digits.dropFirst(); pointPosition -= 1 }
        while digits.last == "0" { digits = digits.dropLast() }
        return (String(digits), pointPosition)
    }

    /// A CSV field as Python's `csv` module writes it (`QUOTE_MINIMAL`): quoted, with doubled quotes, when it holds
    /// a comma, a quote, a carriage return or a line feed.
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

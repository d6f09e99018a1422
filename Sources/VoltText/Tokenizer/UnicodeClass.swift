/// The character classes the pre-tokenizer patterns test, as bits: `\p{L}`, `\p{N}`, `\s` (Unicode White_Space,
/// as Oniguruma's `\s`), and `[\r\n]`.
enum UnicodeClass {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let space: UInt8 = 4
    static let newline: UInt8 = 8

    /// Classes of the Basic Multilingual Plane, computed once (64 KiB) so the scanner never asks the
    /// standard library's property tables in its loop.
    static let basicPlane: [UInt8] = (0..<0x10000).map { classify(UInt32($0)) }

    /// The classes of scalar value `value`.
    @inline(__always)
    static func of(_ value: UInt32) -> UInt8 {
        value < 0x10000 ? basicPlane.withUnsafeBufferPointer { $0[Int(value)] } : classify(value)
    }

    static func classify(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        var classes: UInt8 = 0
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: classes |= letter
        case .decimalNumber, .letterNumber, .otherNumber: classes |= number
        default: break
        }
        if scalar.properties.isWhitespace { classes |= space }
        if value == 0x0A || value == 0x0D { classes |= newline }
        return classes
    }
}

/// Reads one scalar of valid UTF-8 at `index`: its value and its length in bytes.
@inline(__always)
func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
    let b0 = UInt32(bytes[index])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
        return ((b0 & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F), 3)
    }
    return ((b0 & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
            | UInt32(bytes[index + 3] & 0x3F), 4)
}

/// JSON text as Python's `json.dumps(value, indent=2, sort_keys=True)` writes it, which is how transformers'
/// `save_pretrained` writes `config.json`.
///
/// A number that is not an integer keeps a fraction or an exponent (`0.0`, `10000.0`, `1e-06`): transformers 5
/// validates its configurations' types strictly and refuses `0` where a float such as `router_jitter_noise` is
/// declared, while Foundation's encoder writes `0.0` as `0`.
extension JSONValue {
    /// The value as indented JSON text with sorted keys.
    ///
    /// - Throws: `EncodingError.invalidValue` for a number JSON cannot hold (NaN, infinity).
    public func jsonText() throws -> String {
        var text = ""
        try write(to: &text, indent: "")
        return text
    }

    private func write(to text: inout String, indent: String) throws {
        switch self {
        case .null: text += "null"
        case let .bool(value): text += value ? "true" : "false"
        case let .int(value): text += String(value)
        case let .double(value):
            guard value.isFinite else {
                throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) is not a JSON number"))
            }
            text += Self.pythonRepr(value)
        case let .string(value): Self.writeString(value, to: &text)
        case let .array(values):
            guard !values.isEmpty else { text += "[]"; return }
            let inner = indent + "  "
            text += "[\n"
            for (i, value) in values.enumerated() {
                text += inner
                try value.write(to: &text, indent: inner)
                text += i == values.count - 1 ? "\n" : ",\n"
            }
            text += indent + "]"
        case let .object(values):
            guard !values.isEmpty else { text += "{}"; return }
            let inner = indent + "  ", keys = values.keys.sorted()
            text += "{\n"
            for (i, key) in keys.enumerated() {
                text += inner
                Self.writeString(key, to: &text)
                text += ": "
                try values[key]!.write(to: &text, indent: inner)
                text += i == keys.count - 1 ? "\n" : ",\n"
            }
            text += indent + "}"
        }
    }

    /// Python's `repr` of a float: the shortest digits that read back, always with a `.` or an exponent
    /// (`1e-06`, `1e+16`, `0.02`, `10000.0`).
    static func pythonRepr(_ value: Double) -> String {
        var text = "\(value)"  // Swift's description is also the shortest round-trip form: "1e-06", "1e+16", "10000.0"
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        return text
    }

    private static func writeString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

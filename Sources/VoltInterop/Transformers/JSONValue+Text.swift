/// JSON text as Python's `json.dumps(value, indent=2, sort_keys=True)` writes it (ASCII only, floats in `repr`
/// form), which is how transformers' `save_pretrained` writes `config.json`.
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
            text += PythonFormat.repr(value)
        case let .string(value): text += Self.quoted(value)
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
            let inner = indent + "  ", members = values.sorted { $0.0 < $1.0 }
            text += "{\n"
            for (i, (key, value)) in members.enumerated() {
                text += inner + Self.quoted(key) + ": "
                try value.write(to: &text, indent: inner)
                text += i == members.count - 1 ? "\n" : ",\n"
            }
            text += indent + "}"
        }
    }
}

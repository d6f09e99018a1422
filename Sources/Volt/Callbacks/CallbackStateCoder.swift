import Foundation

/// The JSON that callbacks keep their state in (a checkpoint's `callbacks` entries): sorted keys, and infinities
/// and NaN as the strings "inf", "-inf" and "nan" (a metric's best score starts at ±inf), as Lightning writes them.
enum CallbackStateCoder {
    /// `value` as one JSON object.
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The `T` that `state` holds.
    static func decode<T: Decodable>(_ type: T.Type, from state: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: Data(state.utf8))
    }
}

import Foundation
import VoltHDF5

/// How checkpoint keys become HDF5 link names, and how numeric state becomes JSON text.
enum CheckpointNames {
    /// `name` as an HDF5 link name: `%` → `%25`, `/` → `%2F` (a slash would make a path), a lone `.` → `%2E`.
    ///
    /// Dots, braces, `=` and commas stay as they are, so transformers keys and callback state keys read the same
    /// in h5py and h5dump.
    static func escape(_ name: String) -> String {
        if name == "." { return "%2E" }
        return name.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
    }

    /// The key ``escape(_:)`` made `name` from. Only `%25`, `%2F` and `%2E` are decoded; any other `%` is kept.
    static func unescape(_ name: String) -> String {
        guard name.contains("%") else { return name }
        var result = ""
        var rest = Substring(name)
        while let percent = rest.firstIndex(of: "%") {
            result += rest[..<percent]
            let code = rest[percent...].prefix(3)
            switch code {
            case "%25": result += "%"
            case "%2F", "%2f": result += "/"
            case "%2E", "%2e": result += "."
            default: result += code
            }
            rest = rest[percent...].dropFirst(code.count)
        }
        return result + rest
    }

    /// `value` as compact JSON with sorted keys; infinities and NaN (a plateau scheduler's `best`) as the strings
    /// "inf", "-inf" and "nan", which Python's `float()` also reads.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes JSON text written by ``json(_:)`` from an attribute of `object`.
    static func decode<T: Decodable>(_ type: T.Type, from text: String, at object: HDF5Object) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw CheckpointError.malformed(path: object.file.path, object: object.path,
                                            reason: "JSON attribute is not a \(T.self): \(text.prefix(200))")
        }
    }
}

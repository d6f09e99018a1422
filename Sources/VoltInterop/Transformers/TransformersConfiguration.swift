import Foundation

/// A transformers `config.json`: the one JSON object that describes a model (`model_type`, `architectures`, the
/// sizes, the rotary and normalisation settings), for every model family.
///
/// The settings stay JSON values, so a file read and written again keeps the keys no Volt model uses. A model
/// family maps it to and from its own configuration through the typed accessors (``integer(_:)``,
/// ``requiredInteger(_:)``, ``number(_:)``, ``string(_:)``, ``boolean(_:)``, ``object(_:)``), whose errors name
/// the file and the key; `null` counts as absent, as transformers' `from_dict` has it.
public struct TransformersConfiguration: Codable, Equatable, Sendable {
    /// The settings by key.
    public var values: [String: JSONValue]
    /// The file errors name: the file read, or `config.json` for a configuration built in memory.
    public var source: String
    /// The keys above a nested object (`rope_parameters.`), so that its errors name the whole key.
    var keyPrefix = ""

    /// A configuration holding `values`; `source` names it in errors.
    public init(_ values: [String: JSONValue] = [:], source: String = "config.json") {
        self.values = values
        self.source = source
    }

    /// Reads the `config.json` at `path`.
    ///
    /// - Throws: ``TorchImportError/unreadable(path:reason:)`` when the file cannot be read,
    ///   ``TorchImportError/badConfiguration(path:reason:)`` when it does not hold one JSON object.
    public init(contentsOf path: String) throws(TorchImportError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        try self.init(json: data, source: path)
    }

    /// The configuration in the JSON text `data`; `source` names it in errors.
    ///
    /// - Throws: ``TorchImportError/badConfiguration(path:reason:)`` when `data` is not one JSON object.
    public init(json data: Data, source: String) throws(TorchImportError) {
        do {
            self.init(try JSONDecoder().decode([String: JSONValue].self, from: data), source: source)
        } catch {
            throw .badConfiguration(path: source, reason: "not a JSON object: \(error)")
        }
    }

    /// Decodes the JSON object `decoder` holds (``source`` is then `config.json`).
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([String: JSONValue].self))
    }

    /// Encodes the settings as one JSON object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// Whether both hold the same settings (where they came from does not count). Numbers compare by value,
    /// integer or not, since a `config.json` writer may drop a whole number's `.0` (`500000.0` reads back as `500000`).
    public static func == (lhs: TransformersConfiguration, rhs: TransformersConfiguration) -> Bool {
        lhs.values.count == rhs.values.count
            && lhs.values.allSatisfy { key, value in rhs.values[key].map { value.hasSameValue(as: $0) } ?? false }
    }

    /// The setting `key`, or `nil` when it is absent.
    public subscript(key: String) -> JSONValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// `model_type` (`gpt_neox`, `llama`, `mixtral`, …), when it is a string.
    public var modelType: String? {
        if case let .string(type)? = values["model_type"] { type } else { nil }
    }

    /// The file's text as transformers' `save_pretrained` lays it out: indented by two, keys sorted, floats
    /// with a fraction or an exponent (see ``JSONValue/jsonText()``), a final newline.
    ///
    /// - Throws: `EncodingError.invalidValue` for a number JSON cannot hold (NaN, infinity).
    public func jsonData() throws -> Data {
        Data((try JSONValue(sortingKeysOf: values).jsonText() + "\n").utf8)
    }

    /// Writes the configuration to `path` (usually `<folder>/config.json`) durably: a crash leaves the old file or the
    /// new one (``DurableFile``).
    ///
    /// - Throws: `EncodingError` for a number JSON cannot hold (NaN, infinity); the file system's error,
    ///   which names the file, when it cannot be written.
    public func write(to path: String) throws {
        try DurableFile.write(try jsonData(), to: path)
    }
}

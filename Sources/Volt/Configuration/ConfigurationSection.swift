/// A configuration value whose keys may all be left out: a key missing from YAML (or from a checkpoint's saved
/// hyper-parameters) takes the value `init()` gives it.
///
/// Conform a Codable struct whose stored properties all have defaults; no `CodingKeys` are needed, since keys are
/// read and written in snake_case (`maxEpochs` is `max_epochs`). Unknown keys are errors that name the key and
/// its line (``ConfigurationLoader``).
public protocol ConfigurationSection: Codable {
    /// The defaults.
    init()
    /// Checks values that have a range once the section is decoded; throw ``ConfigurationValueError`` naming the
    /// key, and the loader adds the file and line. Default: nothing to check.
    func validate() throws
    /// Keys the section no longer reads, each with the key that replaced it (`["fasta": "path"]`, snake_case, within
    /// the section), so that an old configuration's unknown key names its new one
    /// (``ConfigurationError/renamedKey(file:key:newKey:)``). Default: none.
    static var renamedKeys: [String: String] { get }
}

extension ConfigurationSection {
    /// Nothing to check.
    public func validate() throws {}

    /// No renamed keys.
    public static var renamedKeys: [String: String] { [:] }
}

/// A value out of its range, found by ``ConfigurationSection/validate()``.
public struct ConfigurationValueError: Error, Sendable {
    /// The key within the section (`batch_size`).
    public var key: String
    /// What is wrong.
    public var reason: String

    /// An error for `key`.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }
}

/// A configuration value that is one of a fixed set of names (`precision: bf16`); another name is an error that
/// lists the choices.
public protocol ConfigurationChoice: Codable, CaseIterable, RawRepresentable where RawValue == String {}

extension ConfigurationChoice {
    /// Decodes one of the names, or throws an error that lists them.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = Self(rawValue: name) else {
            let choices = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be one of \(choices), got \(name)")
        }
        self = value
    }

    /// Encodes the name.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

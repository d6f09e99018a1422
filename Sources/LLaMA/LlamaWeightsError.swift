/// Weights that do not fit a LLaMA or Mixtral model, each naming the file and the key at fault.
public enum LlamaWeightsError: Error, Equatable, CustomStringConvertible {
    /// A folder without `config.json`, read without a configuration given.
    case missingConfiguration(path: String)
    /// Tensors the model has that no file of `source` holds (hub-layout names for Mixtral experts stored so).
    case missingTensors(source: String, keys: [String])
    /// Tensors of `file` that are no part of the model.
    case unexpectedTensors(file: String, keys: [String])
    /// A tensor stored twice: in `file`, and under another name or in another file before it.
    case duplicateTensor(file: String, key: String)
    /// A tensor whose shape differs from the model's.
    case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])

    /// What is wrong, naming the file and the keys.
    public var description: String {
        switch self {
        case let .missingConfiguration(path):
            "\(path): no config.json; give the model's configuration"
        case let .missingTensors(source, keys):
            "\(source): missing \(keys.count) tensor(s) of the model: \(Self.list(keys))"
        case let .unexpectedTensors(file, keys):
            "\(file): \(keys.count) tensor(s) that are no part of the model: \(Self.list(keys))"
        case let .duplicateTensor(file, key):
            "\(file): \(key) is stored twice"
        case let .shapeMismatch(file, key, expected, found):
            "\(file): \(key) has shape \(found), the model's is \(expected)"
        }
    }

    private static func list(_ keys: [String]) -> String {
        keys.count <= 8 ? keys.joined(separator: ", ") : keys.prefix(8).joined(separator: ", ") + ", …"
    }
}

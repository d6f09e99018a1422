/// A safetensors file that cannot be used.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// The file (path) cannot be opened or read.
    case unreadable(String)
    /// The file (path) is not valid safetensors, with the reason.
    case malformed(String, String)
    /// A tensor of the file (path) has a dtype Volt cannot load.
    case unsupportedType(String, name: String, dtype: String)

    public var description: String {
        switch self {
        case let .unreadable(path): "\(path): cannot read safetensors file"
        case let .malformed(path, detail): "\(path): not a valid safetensors file: \(detail)"
        case let .unsupportedType(path, name, dtype): "\(path): tensor \(name) has unsupported dtype \(dtype)"
        }
    }
}

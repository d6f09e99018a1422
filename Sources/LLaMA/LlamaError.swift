/// Errors of building or running a LLaMA or Mixtral model.
public enum LlamaError: Error, Equatable, CustomStringConvertible {
    /// A value out of range, inconsistent with the others, or an option this model does not implement.
    case invalidConfiguration(String)
    /// More positions than a key/value cache holds.
    case sequenceTooLong(length: Int, maximum: Int)
    /// Input of a shape the call cannot take.
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(detail): "invalid LLaMA configuration: \(detail)"
        case let .sequenceTooLong(length, maximum): "sequence length \(length) exceeds the \(maximum) positions available"
        case let .invalidInput(detail): "LLaMA: \(detail)"
        }
    }
}

/// A PEFT adapter folder that Volt cannot use.
public enum PEFTAdapterError: Error, Equatable, CustomStringConvertible {
    /// The file is missing or unreadable.
    case unreadable(file: String, reason: String)
    /// The configuration or the weights are inconsistent.
    case invalid(file: String, reason: String)
    /// A PEFT option Volt does not implement.
    case unsupported(file: String, key: String, value: String)
    /// The checkpoint holds no LoRA adapter.
    case notALoRACheckpoint(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read PEFT adapter: \(reason)"
        case let .invalid(file, reason): "\(file): invalid PEFT adapter: \(reason)"
        case let .unsupported(file, key, value): "\(file): \(key) = \(value) is not supported by Volt's LoRA"
        case let .notALoRACheckpoint(path): "\(path): not a LoRA checkpoint (no peft hyper-parameter)"
        }
    }
}

/// The element type of a PyTorch storage, named by its legacy class (`torch.HalfStorage`, …).
public enum TorchStorageType: String, CaseIterable, Sendable {
    /// A typed storage: `torch.FloatStorage`, `HalfStorage`, `BFloat16Storage`, `DoubleStorage`, `LongStorage`,
    /// `IntStorage`, `ShortStorage`, `CharStorage`, `ByteStorage` or `BoolStorage`.
    case float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool
    /// `torch.UntypedStorage`: bytes, typed by the tensor that views it.
    case untyped

    /// The type of the storage class `className` (`HalfStorage`, `FloatStorage`, `UntypedStorage`, …).
    public init?(className: String) {
        guard let type = Self.allCases.first(where: { $0.className == className }) else { return nil }
        self = type
    }

    /// The class name PyTorch pickles.
    public var className: String {
        switch self {
        case .float32: "FloatStorage"
        case .float16: "HalfStorage"
        case .bfloat16: "BFloat16Storage"
        case .float64: "DoubleStorage"
        case .int64: "LongStorage"
        case .int32: "IntStorage"
        case .int16: "ShortStorage"
        case .int8: "CharStorage"
        case .uint8: "ByteStorage"
        case .bool: "BoolStorage"
        case .untyped: "UntypedStorage"
        }
    }

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool, .untyped: 1
        }
    }
}

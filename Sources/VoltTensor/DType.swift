/// The element type a tensor stores.
///
/// Arithmetic is always carried out in `float32`: `float16` and `bfloat16` are storage formats (for activations
/// kept for the backward pass and for checkpoints), converted with round-to-nearest-even. `int32` holds token ids
/// and class targets.
public enum DType: String, Sendable, CaseIterable, Codable {
    /// IEEE 754 single precision.
    case float32
    /// IEEE 754 half precision (storage only).
    case float16
    /// Brain floating point: float32's exponent with a 7-bit mantissa (storage only).
    case bfloat16
    /// 32-bit signed integers, for indices.
    case int32

    /// Bytes per element.
    @inlinable public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float16, .bfloat16: 2
        }
    }

    /// Whether the type holds floating-point values.
    @inlinable public var isFloatingPoint: Bool { self != .int32 }
}

/// Errors that depend on data rather than on how the code was written.
///
/// Shape mismatches between operands are programming errors and stop the program with a precondition message,
/// as in other array libraries; values that come from input files (token ids, class targets) raise these errors.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// An index at `position` (flat, in the index tensor) is outside `0..<bound`.
    case indexOutOfRange(operation: String, position: Int, index: Int, bound: Int)
    /// A tensor has a shape that the operation cannot take.
    case invalidShape(operation: String, shape: [Int], expected: String)
    /// A tensor has a dtype the operation cannot take.
    case invalidDType(operation: String, dtype: DType, expected: DType)

    public var description: String {
        switch self {
        case let .indexOutOfRange(op, position, index, bound):
            "\(op): index \(index) at position \(position) is outside 0..<\(bound)"
        case let .invalidShape(op, shape, expected):
            "\(op): shape \(shape) is not \(expected)"
        case let .invalidDType(op, dtype, expected):
            "\(op): dtype \(dtype) where \(expected) is required"
        }
    }
}

/// A tensor of a weight source, listed before its data is read.
public struct WeightListing: Sendable, Equatable {
    /// The name as stored.
    public var name: String
    /// Shape.
    public var shape: [Int]
    /// Element type in PyTorch's words (`float16`, `float32`, `bfloat16`, `int64`, `bool`, …).
    public var dtype: String

    /// A tensor `name` of `shape`, stored as `dtype` (PyTorch's name of it).
    public init(name: String, shape: [Int], dtype: String) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
    }
}

/// A tensor as `torch._utils._rebuild_tensor_v2` describes it: a strided view onto a storage. No data is read
/// until ``TorchCheckpoint/readTensors(_:)`` asks for it.
public struct TorchTensorReference: Equatable, Sendable {
    /// The storage viewed.
    public var storage: TorchStorageReference
    /// Offset of the first element, in elements.
    public var offset: Int
    /// Shape.
    public var shape: [Int]
    /// Strides in elements.
    public var strides: [Int]

    /// A view of `storage`.
    public init(storage: TorchStorageReference, offset: Int, shape: [Int], strides: [Int]) {
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.strides = strides
    }

    /// Elements in the tensor.
    public var count: Int { shape.reduce(1, *) }

    /// Whether the elements lie row-major and gap-free (dimensions of extent 1 may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for axis in shape.indices.reversed() where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The permutation that makes the layout row-major, when the tensor is a transposed contiguous block
    /// (such as `weight.t()`): the axes ordered by decreasing stride. `nil` for overlapping or gapped layouts.
    public var rowMajorOrder: [Int]? {
        let order = shape.indices.sorted { (strides[$0], $0) > (strides[$1], $1) }
        let permuted = TorchTensorReference(storage: storage, offset: offset, shape: order.map { shape[$0] },
                                            strides: order.map { strides[$0] })
        return permuted.isContiguous ? order : nil
    }
}

import VoltTensor

/// Zeroes elements with probability `p` in training mode (scaling the rest by 1/(1−p)).
public final class Dropout: Module {
    /// Drop probability.
    public let p: Float
    private let _stream: RandomStream

    /// A dropout layer drawing from `stream`.
    public init(_ p: Float, stream: RandomStream) {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        self.p = p
        self._stream = stream
        super.init()
    }

    /// Applies dropout when training and `p > 0`; the identity otherwise.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard training, p > 0 else { return x }
        return x.dropout(p, generator: &_stream.generator)
    }
}

import VoltTensor

/// One file of weights: listed at once, read on request.
protocol WeightFile {
    /// The tensors in the file, in stored order.
    var listing: [WeightListing] { get }
    /// Reads the named tensors (each in its stored floating-point type).
    func read(_ names: Set<String>) throws -> [(name: String, tensor: Tensor)]
}

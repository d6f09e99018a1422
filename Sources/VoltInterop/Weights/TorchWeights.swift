import VoltTensor

/// A `torch.save` file as a ``WeightFile``.
struct TorchWeights: WeightFile {
    let checkpoint: TorchCheckpoint
    let stateDict: [(name: String, tensor: TorchTensorReference)]
    let listing: [WeightListing]

    init(checkpoint: TorchCheckpoint) throws {
        self.checkpoint = checkpoint
        stateDict = try checkpoint.stateDict()
        listing = stateDict.map { WeightListing(name: $0.name, shape: $0.tensor.shape, dtype: $0.tensor.storage.type.rawValue) }
    }

    func read(_ names: Set<String>) throws -> [(name: String, tensor: Tensor)] {
        try checkpoint.readTensors(stateDict.filter { names.contains($0.name) })
    }
}

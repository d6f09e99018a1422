/// A storage of a PyTorch zip checkpoint, named by the pickle's persistent id
/// `("storage", torch.HalfStorage, key, location, numel)`; its bytes are the record `data/<key>`.
public struct TorchStorageReference: Equatable, Sendable {
    /// The record key (`"0"`, `"1"`, …).
    public var key: String
    /// Element type.
    public var type: TorchStorageType
    /// Where it was saved from (`cpu`, `cuda:0`); informational.
    public var location: String
    /// Elements in the storage.
    public var count: Int

    /// A storage reference.
    public init(key: String, type: TorchStorageType, location: String, count: Int) {
        self.key = key
        self.type = type
        self.location = location
        self.count = count
    }
}

/// Anything the trainer can draw batches from: a ``DataLoader``, or a user type with the same contract.
public protocol BatchSource<Batch>: Sendable {
    /// What one batch is.
    associatedtype Batch: Sendable
    /// Batches per epoch.
    var batchCount: Int { get }
    /// The batches of `epoch`, starting at batch `start`, in a fixed order determined by the epoch.
    func batches(epoch: Int, from start: Int) -> BatchIterator<Batch>
    /// The share of `rank` among `worldSize` processes.
    func distributed(rank: Int, worldSize: Int) -> Self
    /// The same batches in their dataset order, without shuffling (what `overfitBatches` trains on, every epoch
    /// alike). A source whose order is already fixed returns itself.
    func unshuffled() -> Self
}

extension DataLoader: BatchSource {}

/// A batch source that can say which dataset examples each batch holds, and can share them out among ranks
/// without repeats: what prediction needs to return its outputs in dataset order.
public protocol IndexedBatchSource<Batch>: BatchSource {
    /// Dataset indices of every batch of `epoch`, in order.
    func batchIndices(epoch: Int) -> [[Int]]
    /// The share of `rank` among `worldSize` processes with every example visited exactly once (no padding).
    func unrepeated(rank: Int, worldSize: Int) -> Self
}

extension DataLoader: IndexedBatchSource {}

import VoltData

/// Where a fit's data comes from, in one type — Lightning's `LightningDataModule`.
///
/// The trainer calls ``prepareData()`` once per job on global rank 0 (download, tokenize into shards), then
/// ``setup(stage:)`` on every rank (read, split), then asks for the stage's loaders. A data module with state
/// (a curriculum position, a streaming offset) saves it in checkpoints through ``state()`` and gets it back
/// through ``load(state:)`` when a fit resumes.
///
/// ```swift
/// let data = FASTADataModule(path: "rabies.fas.gz", split: [0.8, 0.1, 0.1], seed: 42, batchSize: 1)
/// try trainer.fit(module, datamodule: data)
/// try trainer.test(module, datamodule: data)   // the held-out third split
/// ```
public protocol DataModule: AnyObject {
    /// What one batch is: the ``TrainingModule/Batch`` of the modules it feeds.
    associatedtype Batch: Sendable
    /// The loaders it hands out.
    associatedtype Loader: IndexedBatchSource where Loader.Batch == Batch

    /// Once per job, on global rank 0, before any ``setup(stage:)``. Default: nothing.
    func prepareData() throws
    /// On every rank, before the stage's loaders are asked for. Default: nothing.
    func setup(stage: Stage) throws
    /// The training batches (shuffled as the module wants).
    func trainLoader() throws -> Loader
    /// The validation batches, if there is a validation split. Default: none.
    func valLoader() throws -> Loader?
    /// The test batches, if there is a test split. Default: none.
    func testLoader() throws -> Loader?
    /// The batches to predict on. Default: none.
    func predictLoader() throws -> Loader?
    /// State to save in checkpoints (any string, JSON by convention); `nil` for none. Default: none.
    func state() throws -> String?
    /// Restores ``state()`` when a fit resumes.
    func load(state: String) throws
}

extension DataModule {
    public func prepareData() throws {}
    public func setup(stage: Stage) throws {}
    public func trainLoader() throws -> Loader { throw TrainerError.missingStep("trainLoader of the DataModule") }
    public func valLoader() throws -> Loader? { nil }
    public func testLoader() throws -> Loader? { nil }
    public func predictLoader() throws -> Loader? { nil }
    public func state() throws -> String? { nil }
    public func load(state: String) throws {}
}

/// How the trainer reaches the state of the data module of the running fit (kept only while it runs).
struct DataModuleStateHooks {
    var save: () throws -> String?
    var load: (String) throws -> Void
    /// The checkpoint key the state is saved under (beside the callbacks' states).
    static let key = "DataModule"
}

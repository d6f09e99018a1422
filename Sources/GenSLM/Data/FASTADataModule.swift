import Foundation
import Volt
import VoltData

/// GenSLM's data: FASTA files, a glob or a token-shard folder (`data.path`), split at random into train,
/// validation and — with three fractions — test parts, batched as `data:` says.
///
/// ```swift
/// let data = FASTADataModule(path: "rabies.fas.gz", split: [0.8, 0.1, 0.1], seed: 42, batchSize: 1)
/// try trainer.fit(module, datamodule: data)
/// try trainer.test(module, datamodule: data)   // the held-out tenth
/// ```
///
/// The split is PyTorch's `random_split` under `seed`, so it is the same on every rank and in every run; the
/// training loader shuffles (or buckets by length) with the same seed. Two fractions give train and validation
/// only, as before three-way splits existed.
public final class FASTADataModule: ConfigurableDataModule {
    public typealias Batch = TokenBatch
    public typealias Loader = DataLoader<Subset<TokenDataset>, TokenBatch>

    /// The `data:` section it was made from.
    public let data: Configuration
    /// Seed of the split and the shuffle.
    public let seed: UInt64
    /// The model's window: sequences are cut to `min(data.max_length, maxPositions)` tokens.
    public private(set) var maxPositions: Int
    /// The dataset, once ``setup(stage:)`` has opened it.
    public private(set) var dataset: TokenDataset?
    /// Train, validation and (with three fractions) test parts, once set up.
    public private(set) var splits: [Subset<TokenDataset>] = []

    /// The data module of a `data:` section.
    public init(_ data: Configuration, seed: Int, maxPositions: Int) {
        self.data = data
        self.seed = UInt64(seed)
        self.maxPositions = maxPositions
    }

    /// The data module of a `data:` section, seeded by `data.seed` (42 when unset), with GenSLM's 2048-codon
    /// window until ``attach(to:)`` takes the model's.
    public convenience init(configuration: Configuration) {
        self.init(configuration, seed: configuration.seed ?? 42, maxPositions: 2048)
    }

    /// Takes the window of a GPT-NeoX model.
    public func attach<Module: TrainingModule>(to module: Module) {
        if let model = module.model as? GPTNeoX { maxPositions = model.configuration.maxPositionEmbeddings }
    }

    /// A data module over `path` with the other `data:` keys at their defaults.
    public convenience init(path: String, split: [Double] = [0.8, 0.2], seed: Int = 42, batchSize: Int = 1,
                            maxPositions: Int = 2048) {
        var data = Configuration()
        data.path = path
        data.split = split
        data.batchSize = batchSize
        self.init(data, seed: seed, maxPositions: maxPositions)
    }

    /// Opens the data and splits it (once; later stages reuse the split).
    ///
    /// - Throws: ``FASTADataModuleError/invalidSplit(_:)`` for a split that is not two or three non-negative
    ///   fractions adding up to 1; reading errors naming the file and line.
    public func setup(stage: Stage) throws {
        guard dataset == nil else { return }
        let split = data.split
        guard (2...3).contains(split.count), split.allSatisfy({ $0 >= 0 && $0.isFinite }),
              abs(split.reduce(0, +) - 1) < 1e-6 else { throw FASTADataModuleError.invalidSplit(split) }
        let opened = try TokenDataset.open(data.path, maxLength: Swift.min(data.maxLength ?? maxPositions, maxPositions),
                                           padding: data.padding, countPadInLoss: data.countPadInLoss)
        splits = opened.randomSplit(split, seed: seed)
        dataset = opened
    }

    public func trainLoader() throws -> Loader {
        let (dataset, part) = try part(0)
        return Self.trainLoader(dataset, part, data: data, seed: seed)
    }

    public func valLoader() throws -> Loader? { try evaluationLoader(1) }

    /// The held-out third part; a split of two fractions has none, which is an error naming `data.split`.
    public func testLoader() throws -> Loader? {
        guard splits.count >= 3 else { throw FASTADataModuleError.noTestSplit(data.split) }
        return try evaluationLoader(2)
    }

    /// Every record, in file order, for prediction.
    public func predictLoader() throws -> Loader? {
        guard let dataset else { throw TrainerError.misconfiguration("the FASTA data module was not set up") }
        return dataset.loader(Subset(dataset, indices: .identity(count: dataset.count)), batchSize: data.batchSize, workers: data.numWorkers)
    }

    /// The training loader of `data:` over `train`: shuffled, or length-bucketed with `data.sampler: bucketed`.
    public static func trainLoader(_ dataset: TokenDataset, _ train: Subset<TokenDataset>,
                                   data: Configuration, seed: UInt64) -> Loader {
        let sampler: (any Sampler)? = data.sampler == .bucketed
            ? BucketedSampler(train, batchSize: data.batchSize, windowBatches: data.bucketWindow, seed: seed) : nil
        return dataset.loader(train, batchSize: data.batchSize, shuffle: true, seed: seed, workers: data.numWorkers, sampler: sampler)
    }

    /// Part `i` in dataset order, or `nil` when the split has no such part or it is empty.
    private func evaluationLoader(_ i: Int) throws -> Loader? {
        guard splits.count > i || dataset == nil else { return nil }
        let (dataset, part) = try part(i)
        return part.count > 0 ? dataset.loader(part, batchSize: data.batchSize, workers: data.numWorkers) : nil
    }

    private func part(_ i: Int) throws -> (TokenDataset, Subset<TokenDataset>) {
        guard let dataset else { throw TrainerError.misconfiguration("FASTADataModule: call setup(stage:) before asking for loaders") }
        return (dataset, splits[i])
    }
}

/// A `data:` section the data module cannot use.
public enum FASTADataModuleError: Error, Equatable, CustomStringConvertible {
    /// `data.split` is not two or three non-negative fractions adding up to 1.
    case invalidSplit([Double])
    /// The test loop was asked for, but `data.split` has no third (test) fraction.
    case noTestSplit([Double])

    /// The message, naming `data.split`.
    public var description: String {
        switch self {
        case let .invalidSplit(split):
            "data.split must be two fractions (train, validation) or three (train, validation, test), each ≥ 0, adding up to 1; got \(split)"
        case let .noTestSplit(split):
            "data.split \(split) has no test part: give three fractions, e.g. --data.split [0.8,0.1,0.1] (the split of the fit the checkpoint came from)"
        }
    }
}

import GenSLM
import Foundation
import Volt
import VoltData
import VoltNN
import VoltTensor

/// What `volt lr-find` reports.
public struct LearningRateFinderReport: Codable, Sendable {
    /// The suggested learning rate (nil when the sweep was too short to suggest one).
    public var suggestion: Double?
    /// The first learning rate of the sweep.
    public var minLR: Double
    /// The last learning rate of the sweep.
    public var maxLR: Double
    /// Optimizer steps the sweep took.
    public var steps: Int
    /// Whether it stopped before `num_training` steps because the loss diverged.
    public var stoppedEarly: Bool
    /// The picture (`lr_find.svg`).
    public var plot: String
    /// The curve (`lr_find.csv`).
    public var csv: String

    enum CodingKeys: String, CodingKey {
        case suggestion, minLR = "min_lr", maxLR = "max_lr", steps, stoppedEarly = "stopped_early", plot, csv
    }

    /// Encodes a missing suggestion as `null` rather than leaving the key out.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(suggestion, forKey: .suggestion)
        try c.encode(minLR, forKey: .minLR)
        try c.encode(maxLR, forKey: .maxLR)
        try c.encode(steps, forKey: .steps)
        try c.encode(stoppedEarly, forKey: .stoppedEarly)
        try c.encode(plot, forKey: .plot)
        try c.encode(csv, forKey: .csv)
    }
}

extension FineTuneRun {
    /// The configuration the tuners run: one process (`strategy: single`), whatever `trainer.strategy` says, since
    /// a tuning run is short and its result applies to each rank's batches alike.
    var singleProcessConfiguration: FineTuneConfiguration {
        var c = configuration
        c.trainer.strategy = .single
        c.trainer.devices = 1
        return c
    }

    /// The learning-rate range test on the workflow's module and training data (`volt lr-find`): see
    /// `Tuner/lrFind(_:train:minLR:maxLR:numTraining:mode:earlyStopThreshold:)`. Writes `lr_find.csv` and
    /// `lr_find.svg` into `outputDirectory`, by default the log directory the run's first logger would use.
    public func findLearningRate(minLR: Double = 1e-8, maxLR: Double = 1, numTraining: Int = 100,
                                 mode: LearningRateSweepMode = .exponential, earlyStopThreshold: Double? = 4,
                                 outputDirectory: String? = nil, onStep: ((LearningRateFinderResult.Point) -> Void)? = nil)
        throws -> (LearningRateFinderResult, LearningRateFinderReport) {
        _ = try LearningRateSweep(minLR: minLR, maxLR: maxLR, numTraining: numTraining, mode: mode)  // bad ranges fail first
        let run = FineTuneRun(singleProcessConfiguration)
        let module = try run.makeModule()
        let (dataset, train, _) = try run.makeData(maxPositions: module.model.configuration.maxPositionEmbeddings)
        let trainer = try run.makeTrainer()
        let loader = run.makeTrainLoader(dataset, train)
        let result = try Tuner(trainer).lrFind(module, train: loader, minLR: minLR, maxLR: maxLR, numTraining: numTraining,
                                               mode: mode, earlyStopThreshold: earlyStopThreshold, onStep: onStep)
        let directory = outputDirectory ?? trainer.logDirectory
        let csv = directory + "/lr_find.csv", plot = directory + "/lr_find.svg"
        try result.write(csvPath: csv, plotPath: plot)
        return (result, LearningRateFinderReport(suggestion: result.suggestion, minLR: minLR, maxLR: maxLR,
                                                 steps: result.points.count, stoppedEarly: result.stoppedEarly,
                                                 plot: plot, csv: csv))
    }

    /// The largest `data.batch_size` whose training fits `maxMemoryBytes` without losing tokens/s (`volt
    /// batch-size-find`): see `Tuner/scaleBatchSize(maxMemoryBytes:maxBatchSize:steps:warmup:throughputTolerance:module:loader:)`.
    ///
    /// Each size trains a fresh module of the configured preset and precision for `warmup + steps` batches of
    /// `data.max_length` tokens per sequence (the worst case: no padding, windows of the training sequences laid end
    /// to end), with an optimizer step every batch so that the optimizer state is counted. Memory is the tensor
    /// buffer pool's high-water mark of that trial alone. Sizes go up to `maxBatchSize`, by default the number of
    /// training sequences.
    public func findBatchSize(maxMemoryBytes: Int, maxBatchSize: Int? = nil, steps: Int = 3, warmup: Int = 1,
                              throughputTolerance: Double = 0.1) throws -> BatchSizeSearchResult {
        _ = try BatchSizeSearch(maxMemoryBytes: maxMemoryBytes, maxBatchSize: maxBatchSize ?? 1,
                                throughputTolerance: throughputTolerance)  // bad arguments fail before any work
        var trialConfiguration = singleProcessConfiguration
        trialConfiguration.module.accumulationSteps = 1
        let run = FineTuneRun(trialConfiguration)
        let maxPositions = configuration.model.preset.configuration.maxPositionEmbeddings
        let (dataset, train, _) = try run.makeData(maxPositions: maxPositions)
        let length = Swift.min(configuration.data.maxLength ?? maxPositions, maxPositions)
        let tokens = try train.indices.flatMap { try dataset.element(at: $0).ids }
        guard !tokens.isEmpty else { throw TrainerError.misconfiguration("the training split holds no tokens") }
        let trainer = try run.makeTrainer()
        let batches = warmup + steps
        return try Tuner(trainer).scaleBatchSize(
            maxMemoryBytes: maxMemoryBytes, maxBatchSize: maxBatchSize ?? train.count, steps: steps, warmup: warmup,
            throughputTolerance: throughputTolerance, module: { try run.makeModule() },
            loader: { size in Self.fullLengthLoader(tokens: tokens, length: length, batchSize: size, batches: batches) })
    }

    /// `batches` batches of `batchSize` rows of `length` tokens, cut one after another from `tokens` (repeated as
    /// needed), with no padding.
    static func fullLengthLoader(tokens: [Int32], length: Int, batchSize: Int, batches: Int)
        -> DataLoader<ArrayDataset<[Int32]>, TokenBatch> {
        var rows: [[Int32]] = []
        var position = 0
        for _ in 0..<(batchSize * batches) {
            var row: [Int32] = []
            row.reserveCapacity(length)
            while row.count < length {
                let take = Swift.min(length - row.count, tokens.count - position)
                row += tokens[position..<(position + take)]
                position = (position + take) % tokens.count
            }
            rows.append(row)
        }
        return DataLoader(ArrayDataset(rows), batchSize: batchSize) { items in
            let ids = items.flatMap { $0 }
            let shape = [items.count, length]
            return TokenBatch(inputIds: Tensor(shape: shape, indices: ids), attentionMask: Tensor.ones(shape),
                              labels: Tensor(shape: shape, indices: ids))
        }
    }

    /// Draws `metrics.svg` next to the `metrics.csv` of each CSV logger of `trainer` (``MetricsPlot``).
    /// A run that logged nothing to draw gets no picture; a failure is reported on standard error and does not fail
    /// the finished fit.
    func writeMetricsPlots(_ trainer: Trainer) {
        for logger in trainer.loggers.compactMap({ $0 as? CSVLogger }) where FileManager.default.fileExists(atPath: logger.metricsPath) {
            do { try MetricsPlot.write(logDirectory: logger.logDirectory) } catch PlotError.nothingToPlot {
                continue
            } catch {
                FileHandle.standardError.write(Data("volt: warning: no metrics.svg for \(logger.logDirectory): \(error)\n".utf8))
            }
        }
    }
}

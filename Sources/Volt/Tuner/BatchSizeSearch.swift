/// The search of ``Tuner/scaleBatchSize(maxMemoryBytes:maxBatchSize:steps:warmup:throughputTolerance:module:loader:)``,
/// apart from how a size is measured: powers of two from 1 until a size fails or `maxBatchSize` is reached, then
/// bisection between the last size that passed and the first that failed.
///
/// A size passes when its peak memory is at most ``maxMemoryBytes`` and its throughput is at least
/// `1 - throughputTolerance` times the best throughput of the smaller sizes that passed. Memory grows with the batch,
/// so bisection finds the largest size under the budget; throughput is noisier, and the tolerance keeps a
/// measurement's jitter from ending the search.
public struct BatchSizeSearch: Sendable {
    /// The memory budget in bytes.
    public var maxMemoryBytes: Int
    /// No size above this is tried (e.g. the number of training sequences).
    public var maxBatchSize: Int
    /// The fraction by which tokens/s may fall below the best smaller size's and still pass.
    public var throughputTolerance: Double

    /// A search.
    ///
    /// - Throws: ``TunerError/invalidArgument(_:)`` for a budget or maximum below 1, or a tolerance outside [0, 1].
    public init(maxMemoryBytes: Int, maxBatchSize: Int, throughputTolerance: Double = 0.1) throws(TunerError) {
        guard maxMemoryBytes > 0 else { throw .invalidArgument("the memory budget must be positive, got \(maxMemoryBytes) bytes") }
        guard maxBatchSize >= 1 else { throw .invalidArgument("the largest batch size to try must be ≥ 1, got \(maxBatchSize)") }
        guard throughputTolerance >= 0 && throughputTolerance <= 1 else {
            throw .invalidArgument("the throughput tolerance must lie in [0, 1], got \(throughputTolerance)")
        }
        self.maxMemoryBytes = maxMemoryBytes
        self.maxBatchSize = maxBatchSize
        self.throughputTolerance = throughputTolerance
    }

    /// Runs the search, measuring each size once with `measure`.
    ///
    /// - Throws: ``TunerError/nothingFits(batchSize:peakBytes:maxMemoryBytes:)`` when a batch of one is over the
    ///   budget, and whatever `measure` throws.
    public func run(measure: (Int) throws -> TrainingMeasurement) throws -> BatchSizeSearchResult {
        var trials: [BatchSizeTrial] = []
        var bestThroughput = 0.0
        func trial(_ size: Int) throws -> Bool {
            let m = try measure(size)
            let fits = m.peakBytes <= maxMemoryBytes
            let fastEnough = m.unitsPerSecond >= (1 - throughputTolerance) * bestThroughput
            let passed = fits && fastEnough
            trials.append(BatchSizeTrial(batchSize: size, peakBytes: m.peakBytes, tokensPerSecond: m.unitsPerSecond,
                                         passed: passed, failure: passed ? nil : (fits ? .throughput : .memory)))
            if passed { bestThroughput = Swift.max(bestThroughput, m.unitsPerSecond) }
            return passed
        }
        var good = 0
        var bad: Int?
        var size = 1
        while true {
            if try trial(size) { good = size } else { bad = size; break }
            if size >= maxBatchSize { break }
            size = Swift.min(size * 2, maxBatchSize)
        }
        guard good > 0 else {
            throw TunerError.nothingFits(batchSize: 1, peakBytes: trials[0].peakBytes, maxMemoryBytes: maxMemoryBytes)
        }
        while let failed = bad, failed - good > 1 {
            let middle = (good + failed) / 2
            if try trial(middle) { good = middle } else { bad = middle }
        }
        let limit: BatchSizeSearchResult.Limit = bad.flatMap { b in trials.last { $0.batchSize == b }?.failure }
            .map { $0 == .memory ? .memory : .throughput } ?? .maxBatchSize
        return BatchSizeSearchResult(batchSize: good, maxMemoryBytes: maxMemoryBytes, limitedBy: limit, trials: trials)
    }
}

/// One batch size measured by a ``BatchSizeSearch``.
public struct BatchSizeTrial: Sendable, Equatable, Codable {
    /// Why a size failed.
    public enum Failure: String, Sendable, Codable {
        /// Its peak memory is over the budget.
        case memory
        /// Its tokens/s fell below the tolerance.
        case throughput
    }

    /// The batch size.
    public var batchSize: Int
    /// Most tensor bytes held at once.
    public var peakBytes: Int
    /// Tokens (or examples) per second.
    public var tokensPerSecond: Double
    /// Whether the size passed.
    public var passed: Bool
    /// Why it did not.
    public var failure: Failure?

    enum CodingKeys: String, CodingKey {
        case batchSize = "batch_size", peakBytes = "peak_bytes", tokensPerSecond = "tokens_per_s", passed, failure
    }
}

/// The outcome of a ``BatchSizeSearch``.
public struct BatchSizeSearchResult: Sendable, Equatable, Codable {
    /// What stopped the search from going higher.
    public enum Limit: String, Sendable, Codable {
        /// The next size is over the memory budget.
        case memory
        /// The next size is slower per token.
        case throughput
        /// The largest size allowed passed.
        case maxBatchSize = "max_batch_size"
    }

    /// The largest size that passed.
    public var batchSize: Int
    /// The budget.
    public var maxMemoryBytes: Int
    /// Why no larger size was chosen.
    public var limitedBy: Limit
    /// Every size measured, in the order measured.
    public var trials: [BatchSizeTrial]

    enum CodingKeys: String, CodingKey {
        case batchSize = "batch_size", maxMemoryBytes = "max_memory_bytes", limitedBy = "limited_by", trials
    }
}

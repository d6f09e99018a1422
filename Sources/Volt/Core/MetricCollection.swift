/// How values of a metric logged at several batches become the epoch value.
public enum MetricReduction: String, Sendable {
    /// Mean weighted by batch size (Lightning's default).
    case mean
    /// The sum over the epoch.
    case sum
    /// The largest value.
    case max
    /// The smallest value.
    case min
}

/// Options of one `log` call.
struct LogOptions {
    var onStep: Bool
    var onEpoch: Bool
    var progressBar: Bool
    var logger: Bool
    var syncDist: Bool
    var reduce: MetricReduction
}

/// The metrics logged during one loop (training, validation, …), as Lightning's result collection keeps them:
/// the latest step values, and running batch-size-weighted aggregates for epoch values.
final class MetricCollection {
    private struct Accumulator {
        var options: LogOptions
        var total = 0.0
        var weight = 0.0
        var extreme: Double?
        var last = 0.0

        mutating func add(_ value: Double, weight w: Double) {
            last = value
            switch options.reduce {
            case .mean: total += value * w; weight += w
            case .sum: total += value
            case .max: extreme = Swift.max(extreme ?? value, value)
            case .min: extreme = Swift.min(extreme ?? value, value)
            }
        }

        var epochValue: Double {
            switch options.reduce {
            case .mean: weight > 0 ? total / weight : .nan
            case .sum: total
            case .max, .min: extreme ?? .nan
            }
        }
    }

    private var entries: [String: Accumulator] = [:]
    private var order: [String] = []
    /// Metric objects logged this epoch, in first-logged order, with their progress-bar and logger options.
    private var metricObjects: [(metric: any Metric, progressBar: Bool, logger: Bool)] = []
    /// Their epoch values, once computed.
    private var computedObjects: [(values: [String: Double], progressBar: Bool, logger: Bool)] = []

    /// Records one value.
    func log(_ name: String, value: Double, batchSize: Int, options: LogOptions) {
        if entries[name] == nil {
            entries[name] = Accumulator(options: options)
            order.append(name)
        }
        entries[name]?.add(value, weight: Double(batchSize))
    }

    /// Records a metric object (once per epoch, however often it is logged).
    func log(_ metric: any Metric, progressBar: Bool, logger: Bool) {
        guard !metricObjects.contains(where: { $0.metric === metric }) else { return }
        metricObjects.append((metric, progressBar, logger))
    }

    /// The summed length of the logged metric objects' states (ranks compare it before reducing).
    var metricObjectStateCount: Int { metricObjects.reduce(0) { $0 + $1.metric.stateCount } }

    /// Computes the logged metric objects' values from their states reduced by `reduce` (one call over all the
    /// states laid end to end), then resets the objects.
    func computeMetricObjects(reduce: (inout [Double]) -> Void) {
        var states = metricObjects.flatMap { object -> [Double] in
            precondition(object.metric.state.count == object.metric.stateCount, "\(type(of: object.metric)): state length differs from stateCount")
            return object.metric.state
        }
        if !states.isEmpty { reduce(&states) }
        var offset = 0
        computedObjects = metricObjects.map { object in
            let count = object.metric.stateCount
            defer { offset += count }
            return (object.metric.compute(state: Array(states[offset..<(offset + count)])), object.progressBar, object.logger)
        }
        for object in metricObjects { object.metric.reset() }
        metricObjects = []
    }

    /// Names with both step and epoch values get `_step` / `_epoch` suffixes (Lightning's forked names).
    private func stepName(_ name: String, _ o: LogOptions) -> String { o.onStep && o.onEpoch ? name + "_step" : name }
    private func epochName(_ name: String, _ o: LogOptions) -> String { o.onStep && o.onEpoch ? name + "_epoch" : name }

    /// Step-level values of the last batch: (for loggers, for the progress bar, for callbacks).
    func stepMetrics() -> (logger: [String: Double], progressBar: [String: Double], callback: [String: Double]) {
        var logger: [String: Double] = [:], bar: [String: Double] = [:], callback: [String: Double] = [:]
        for name in order {
            guard let e = entries[name], e.options.onStep else { continue }
            let key = stepName(name, e.options)
            if e.options.logger { logger[key] = e.last }
            if e.options.progressBar { bar[key] = e.last }
            callback[key] = e.last
            callback[name] = e.last
        }
        return (logger, bar, callback)
    }

    /// Epoch-level aggregates.
    func epochMetrics() -> (logger: [String: Double], progressBar: [String: Double], callback: [String: Double]) {
        var logger: [String: Double] = [:], bar: [String: Double] = [:], callback: [String: Double] = [:]
        for name in order {
            guard let e = entries[name], e.options.onEpoch else { continue }
            let key = epochName(name, e.options), value = e.epochValue
            if e.options.logger { logger[key] = value }
            if e.options.progressBar { bar[key] = value }
            callback[key] = value
            callback[name] = value
        }
        for object in computedObjects {
            for (name, value) in object.values {
                if object.logger { logger[name] = value }
                if object.progressBar { bar[name] = value }
                callback[name] = value
            }
        }
        return (logger, bar, callback)
    }

    /// Names that asked for a cross-rank reduction of their epoch value, with their reduction.
    var synchronized: [(String, MetricReduction)] {
        order.compactMap { n in entries[n].flatMap { $0.options.syncDist ? (n, $0.options.reduce) : nil } }
    }

    /// The logged name behind a metric key that a callback monitors (`val_loss`, or `train_loss` for
    /// `train_loss_epoch`), with its reduction and whether it was logged with `syncDist`.
    func entry(forMonitored key: String) -> (name: String, reduce: MetricReduction, synchronized: Bool)? {
        for name in [key, key.hasSuffix("_epoch") ? String(key.dropLast(6)) : key] {
            if let e = entries[name], e.options.onEpoch { return (name, e.options.reduce, e.options.syncDist) }
        }
        return nil
    }

    /// Raw epoch aggregates (numerator, weight) for cross-rank reduction.
    func aggregate(_ name: String) -> (total: Double, weight: Double, extreme: Double?)? {
        entries[name].map { ($0.total, $0.weight, $0.extreme) }
    }

    /// Replaces an aggregate with its cross-rank reduction.
    func setAggregate(_ name: String, total: Double, weight: Double, extreme: Double?) {
        entries[name]?.total = total
        entries[name]?.weight = weight
        entries[name]?.extreme = extreme
    }

    /// Forgets everything (start of an epoch).
    func reset() {
        entries = [:]
        order = []
        metricObjects = []
        computedObjects = []
    }
}

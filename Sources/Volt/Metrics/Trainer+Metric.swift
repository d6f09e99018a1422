extension Trainer {
    /// Computes the epoch values of the metric objects logged in `metrics`, from their states summed across ranks.
    /// Ranks first agree on the states' total length, so that no rank enters the reduction with a different vector.
    ///
    /// - Throws: `TrainerError.misconfiguration` on a rank whose logged metric objects differ from rank 0's (the
    ///   error ends the job on every rank).
    func synchronizeMetricObjects(_ metrics: MetricCollection) throws {
        let count = metrics.metricObjectStateCount
        if strategy.worldSize > 1 {
            let agreed = strategy.rankZeroValue(Double(count))
            guard agreed == Double(count) else {
                throw TrainerError.misconfiguration("rank \(strategy.rank) logged metric objects with \(count) state values, "
                    + "rank 0 with \(Int(agreed)): log the same Metric objects on every rank")
            }
            if count == 0 { return }
        }
        metrics.computeMetricObjects { strategy.allReduceSum(&$0) }
    }
}

extension StepContext {
    /// Logs a ``Metric`` object (torchmetrics' `self.log("name", metric)`): the metric's values are computed at the
    /// end of the epoch from its state summed across ranks — so every rank, ModelCheckpoint, EarlyStopping and
    /// `volt tune` see the same value — then the metric is reset. Call it on every rank at every step that updates
    /// the metric; logging the same object again in the epoch does nothing more.
    ///
    /// - Parameters:
    ///   - metric: the metric, updated by the step.
    ///   - progressBar: show its values on the progress bar.
    ///   - logger: send its values to the loggers.
    public func log(_ metric: any Metric, progressBar: Bool = false, logger: Bool = true) {
        guard stage != .predicting else { return }
        metrics.log(metric, progressBar: progressBar, logger: logger)
    }
}

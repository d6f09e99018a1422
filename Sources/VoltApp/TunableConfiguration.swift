import Volt

/// A configuration layout that `volt tune` searches over (``FineTuneSearch``): a training configuration whose
/// `trainer:` a trial moves into its own folder, with a `tune:` section.
public protocol TunableConfiguration: TrainingConfiguration {
    /// The `trainer:` section (each trial sets its own `default_root_dir` and checkpoint folders).
    var trainer: TrainerConfiguration { get set }
    /// The `tune:` section; `nil` when the file has none.
    var tune: FineTuneConfiguration.TuneSection? { get set }
}

extension FineTuneConfiguration: TunableConfiguration {}

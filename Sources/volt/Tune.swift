import VoltInterop
import ArgumentParser
import Foundation
import GenSLM
import VoltApp
import Volt
import VoltCLI
import VoltSearch

/// `volt tune`: a hyper-parameter search over the GenSLM or text workflow (the layout `model.family` picks), in an Optuna-compatible SQLite study.
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search hyper-parameters (TPE, random or grid; median or successive-halving pruning) as config.yaml's tune: section says.",
        discussion: """
            Each trial is a fit in <default_root_dir>/trials/trial_N/. The study lives in an SQLite file with Optuna's \
            schema (default <default_root_dir>/study.db): rerun to continue it up to tune.n_trials, run several at once \
            to share it, open it with optuna.load_study or optuna-dashboard. See Sources/VoltSearch/VoltSearch.docc/tuning.md.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    func run() throws {
        try runReportingErrors {
            switch try ConfigurationLayout.select(paths: options.config, overrides: try options.parsedOverrides()) {
            case .genslm: try search(try FineTuneSearch(try options.load(FineTuneConfiguration.self)))  // --print-config exits here
            case .text: try search(try FineTuneSearch(try options.load(TextFineTuneConfiguration.self)))
            }
        }
    }

    /// Runs `search` and prints its trials and summary.
    func search<Configuration: TunableConfiguration>(_ search: FineTuneSearch<Configuration>) throws {
        try VoltCLI.relaunchIfNeeded(for: search.configuration.trainer)
        guard let study = try search.run(onTrialEnd: { trial in
            guard !json else { return }
            let value = trial.value.map { String(format: "%.6g", $0) } ?? "-"
            print("trial \(trial.number) \(trial.state.rawValue.lowercased()): \(search.tune.metric) \(value)  "
                + trial.params.sorted { $0.key < $1.key }.map { "\($0.key)=\(StudySummary.short($0.value.value))" }.joined(separator: " "))
        }) else { return }  // ranks other than 0 under MPI
        let records = try study.trials()
        let plotPath = search.root + "/" + study.settings.name + "_history.svg"
        let svg = StudyPlot.svg(trials: records, direction: study.settings.direction,
                                importances: ParameterImportance.evaluate(trials: records, space: study.settings.space),
                                title: "study \(study.settings.name)")
        try DurableFile.write(Data(svg.utf8), to: plotPath)
        let summary = try StudySummary(study: study, storageURL: search.storageURL, plot: plotPath)
        if json { try printJSON(summary); return }
        print("")
        print(summary.table)
        print("")
        if let best = summary.best {
            print("best trial: \(best.number)  \(search.tune.metric): \(best.value.map { String(format: "%.6g", $0) } ?? "-")")
            print("best params: " + best.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.text)" }.joined(separator: ", "))
            print("best checkpoint: \(best.bestCheckpoint ?? "(none saved)")")
        } else {
            print("no complete trial yet")
        }
        print("importances (\(summary.importanceMethod)): "
            + summary.importances.sorted { $0.value > $1.value }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }.joined(separator: ", "))
        print("plot: \(plotPath)")
        print("study: \(summary.study) in \(summary.storage)")
    }
}

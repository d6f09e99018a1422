import Foundation
import VoltInterop

/// What `volt tune` reports: the best trial, every trial, and the parameter importances.
public struct StudySummary: Codable, Sendable {
    /// One trial in the report.
    public struct Trial: Codable, Sendable {
        /// `trials.number` within the study.
        public var number: Int
        /// Optuna's state name (`COMPLETE`, `PRUNED`, `FAIL`, `RUNNING`, `WAITING`).
        public var state: String
        /// The objective value, if the trial has one.
        public var value: Double?
        /// The parameters as the objective saw them.
        public var params: [String: JSONValue]
        /// Seconds from start to end.
        public var duration: Double?
        /// Validations reported.
        public var reports: Int
        /// The trial's best checkpoint, when one was saved.
        public var bestCheckpoint: String?

        enum CodingKeys: String, CodingKey {
            case number, state, value, params, duration, reports, bestCheckpoint = "best_checkpoint"
        }
    }

    /// The study's name.
    public var study: String
    /// The storage URL (`sqlite:///path`).
    public var storage: String
    /// `minimize` or `maximize`.
    public var direction: String
    /// The best complete trial, if there is one.
    public var best: Trial?
    /// Every trial, in number order.
    public var trials: [Trial]
    /// Each parameter's share of the objective's variance (they add up to 1).
    public var importances: [String: Double]
    /// How `importances` were computed.
    public var importanceMethod: String
    /// The SVG written, if any.
    public var plot: String?

    enum CodingKeys: String, CodingKey {
        case study, storage, direction, best, trials, importances, importanceMethod = "importance_method", plot
    }

    /// The summary of `study`'s trials.
    public init(study: Study, storageURL: String, plot: String?) throws {
        let records = try study.trials()
        self.study = study.settings.name
        storage = storageURL
        direction = study.settings.direction.rawValue.lowercased()
        trials = records.map(Self.trial)
        best = try study.bestTrial().map(Self.trial)
        importances = ParameterImportance.evaluate(trials: records, space: study.settings.space)
        importanceMethod = ParameterImportance.method
        self.plot = plot
    }

    static func trial(_ t: TrialRecord) -> Trial {
        var checkpoint: String?
        if let json = t.userAttributes["best_checkpoint"], case let .string(path)? = try? JSONValue.parse(json) { checkpoint = path }
        return Trial(number: t.number, state: t.state.rawValue, value: t.value, params: t.params.mapValues(\.value),
                     duration: t.duration, reports: t.intermediateValues.count, bestCheckpoint: checkpoint)
    }

    /// The trials as a text table: number, state, value, one column per parameter, reports, seconds.
    public var table: String {
        let names = Set(trials.flatMap { $0.params.keys }).sorted()
        var rows = [["trial", "state", "value"] + names + ["reports", "seconds"]]
        for t in trials {
            var row: [String] = ["\(t.number)", t.state, t.value.map { String(format: "%.6g", $0) } ?? "-"]
            for name in names { row.append(t.params[name].map(Self.short) ?? "-") }
            row.append("\(t.reports)")
            row.append(t.duration.map { String(format: "%.1f", $0) } ?? "-")
            rows.append(row)
        }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// A parameter value, briefly.
    public static func short(_ v: JSONValue) -> String {
        switch v {
        case let .double(d): String(format: "%.4g", d)
        case let .string(s): s
        default: v.text
        }
    }
}

import Foundation

/// Why a study cannot be created, read, continued or run.
public enum TuneError: Error, Equatable, CustomStringConvertible {
    /// A parameter's range or choices break Optuna's rules.
    case invalidDistribution(name: String, reason: String)
    /// The storage URL is not `sqlite:///path`.
    case unsupportedStorage(url: String)
    /// The database holds tables, but not Optuna's schema at the version Volt writes.
    case incompatibleSchema(path: String, reason: String)
    /// The study exists with another direction, or the database is not a study.
    case studyMismatch(study: String, reason: String)
    /// A stored row cannot be understood (the table, the row id and why).
    case corruptRow(table: String, id: Int64, reason: String)
    /// The search space of the configuration disagrees with the study's stored trials.
    case incompatibleSpace(name: String, stored: String, configured: String)
    /// A setting of `tune:` is out of range or inconsistent.
    case invalidSetting(key: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidDistribution(name, reason): "tune.space.\(name): \(reason)"
        case let .unsupportedStorage(url):
            "tune.storage \"\(url)\": only sqlite:///relative/path.db or sqlite:////absolute/path.db is supported"
        case let .incompatibleSchema(path, reason): "\(path): not an Optuna 5 study database: \(reason)"
        case let .studyMismatch(study, reason): "study \"\(study)\": \(reason)"
        case let .corruptRow(table, id, reason): "\(table) row \(id): \(reason)"
        case let .incompatibleSpace(name, stored, configured):
            "tune.space.\(name): the study already holds \(stored), which is incompatible with the configured \(configured)"
        case let .invalidSetting(key, reason): "tune.\(key): \(reason)"
        }
    }
}

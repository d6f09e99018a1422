import Foundation
import VoltInterop

/// A study database in Optuna's relational schema (`OptunaSchema`), in one SQLite file.
///
/// Every write is one `BEGIN IMMEDIATE` transaction, so a process killed at any point leaves the database as it
/// was before or after that write, never between; the database runs in WAL mode with a busy timeout, so several
/// processes share it. Datetimes are naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`, as Optuna's RDB storage writes them.
public final class StudyStorage {
    /// The database file.
    public let path: String
    let db: SQLiteConnection

    /// Opens the study database of `url` (`sqlite:///relative.db` or `sqlite:////absolute.db`), creating the file and
    /// Optuna's tables when they are missing.
    ///
    /// - Throws: ``TuneError/unsupportedStorage(url:)`` for another URL, ``TuneError/incompatibleSchema(path:reason:)``
    ///   for a database of another schema version, ``SQLiteError`` when the file cannot be opened.
    public convenience init(url: String) throws {
        try self.init(path: try Self.path(ofURL: url))
    }

    /// Opens the study database at `path` (created with Optuna's tables when missing).
    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        db = try SQLiteConnection(path: path)
        try prepareSchema()
    }

    /// The file path of a `sqlite:///…` URL.
    public static func path(ofURL url: String) throws -> String {
        let prefix = "sqlite:///"
        guard url.hasPrefix(prefix), url.count > prefix.count else { throw TuneError.unsupportedStorage(url: url) }
        return String(url.dropFirst(prefix.count))
    }

    private func prepareSchema() throws {
        try db.immediateTransaction {
            let tables = Set(try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0].string })
            if tables.isEmpty {
                for statement in OptunaSchema.statements { try db.execute(statement) }
                try db.query("INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, ?, ?)",
                             [.integer(Int64(OptunaSchema.schemaVersion)), .text(OptunaSchema.libraryVersion)])
                try db.query("INSERT INTO alembic_version (version_num) VALUES (?)", [.text(OptunaSchema.alembicRevision)])
                return
            }
            guard tables.contains("version_info"), tables.contains("trials") else {
                throw TuneError.incompatibleSchema(path: path, reason: "it has tables but no version_info/trials")
            }
            let version = try db.query("SELECT schema_version FROM version_info WHERE version_info_id = 1").first?[0].int
            guard version == OptunaSchema.schemaVersion else {
                throw TuneError.incompatibleSchema(path: path, reason: "schema_version \(version.map(String.init) ?? "missing"), "
                    + "Volt reads and writes \(OptunaSchema.schemaVersion) (run `optuna storage upgrade` first)")
            }
            let revision = tables.contains("alembic_version") ? try db.query("SELECT version_num FROM alembic_version").first?[0].string : nil
            guard revision == OptunaSchema.alembicRevision else {
                throw TuneError.incompatibleSchema(path: path, reason: "alembic revision \(revision ?? "missing"), expected \(OptunaSchema.alembicRevision)")
            }
        }
    }

    /// The `CREATE` statements in `sqlite_master`, by object name.
    public func schemaStatements() throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try db.query("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL") {
            if let name = row[0].string, let sql = row[1].string { result[name] = sql }
        }
        return result
    }

    /// `version_info.schema_version`, `version_info.library_version` and `alembic_version.version_num`.
    public func versionRows() throws -> (schemaVersion: Int?, libraryVersion: String?, alembicRevision: String?) {
        let v = try db.query("SELECT schema_version, library_version FROM version_info WHERE version_info_id = 1").first
        return (v?[0].int, v?[1].string, try db.query("SELECT version_num FROM alembic_version").first?[0].string)
    }

    // MARK: Studies

    /// The id of study `name`, created with `direction` when missing.
    ///
    /// - Throws: ``TuneError/studyMismatch(study:reason:)`` when it exists with another direction or several objectives.
    public func createOrLoadStudy(name: String, direction: StudyDirection) throws -> Int64 {
        try db.immediateTransaction {
            if let id = try db.query("SELECT study_id FROM studies WHERE study_name = ?", [.text(name)]).first?[0].int {
                let directions = try db.query("SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective",
                                              [.integer(Int64(id))]).compactMap { $0[0].string }
                guard directions.count == 1 else {
                    throw TuneError.studyMismatch(study: name, reason: "it has \(directions.count) objectives; volt tune optimises one")
                }
                guard directions[0] == direction.rawValue else {
                    throw TuneError.studyMismatch(study: name, reason: "it was created with direction \(directions[0].lowercased()), "
                        + "the configuration asks for \(direction.rawValue.lowercased())")
                }
                return Int64(id)
            }
            try db.query("INSERT INTO studies (study_name) VALUES (?)", [.text(name)])
            let id = db.lastInsertRowID
            try db.query("INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, 0)",
                         [.text(direction.rawValue), .integer(id)])
            return id
        }
    }

    /// The names of the studies in the database.
    public func studyNames() throws -> [String] {
        try db.query("SELECT study_name FROM studies ORDER BY study_id").compactMap { $0[0].string }
    }

    // MARK: Trials

    /// Every trial of the study, by number.
    public func trials(studyID: Int64) throws -> [TrialRecord] {
        let sid: [SQLiteValue] = [.integer(studyID)]
        var byID: [Int64: TrialRecord] = [:]
        for row in try db.query("SELECT trial_id, number, state, datetime_start, datetime_complete FROM trials WHERE study_id = ?", sid) {
            guard case let .integer(id) = row[0] else { continue }
            guard let stateText = row[2].string, let state = TrialState(rawValue: stateText) else {
                throw TuneError.corruptRow(table: "trials", id: id, reason: "unknown state \(row[2])")
            }
            byID[id] = TrialRecord(id: id, number: row[1].int ?? -1, state: state, value: nil,
                                   start: row[3].string.flatMap(UTCDateTime.parse), complete: row[4].string.flatMap(UTCDateTime.parse),
                                   params: [:], intermediateValues: [:], userAttributes: [:], systemAttributes: [:])
        }
        let join = " JOIN trials t ON t.trial_id = x.trial_id WHERE t.study_id = ?"
        for row in try db.query("SELECT x.trial_id, x.value, x.value_type FROM trial_values x" + join + " AND x.objective = 0", sid) {
            guard case let .integer(id) = row[0] else { continue }
            byID[id]?.value = try Self.number(row[1], type: row[2].string, table: "trial_values", id: id)
        }
        for row in try db.query("SELECT x.trial_id, x.param_name, x.param_value, x.distribution_json FROM trial_params x" + join, sid) {
            guard case let .integer(id) = row[0], let name = row[1].string else { continue }
            guard let value = row[2].double, let json = row[3].string else {
                throw TuneError.corruptRow(table: "trial_params", id: id, reason: "parameter \(name) has no value or distribution")
            }
            byID[id]?.params[name] = TrialParameter(internalValue: value, distribution: try ParameterDistribution(json: json, parameter: name))
        }
        for row in try db.query("SELECT x.trial_id, x.step, x.intermediate_value, x.intermediate_value_type FROM trial_intermediate_values x" + join, sid) {
            guard case let .integer(id) = row[0], let step = row[1].int else { continue }
            byID[id]?.intermediateValues[step] = try Self.number(row[2], type: row[3].string, table: "trial_intermediate_values", id: id)
        }
        for (table, isUser) in [("trial_user_attributes", true), ("trial_system_attributes", false)] {
            for row in try db.query("SELECT x.trial_id, x.\"key\", x.value_json FROM \(table) x" + join, sid) {
                guard case let .integer(id) = row[0], let key = row[1].string, let json = row[2].string else { continue }
                if isUser { byID[id]?.userAttributes[key] = json } else { byID[id]?.systemAttributes[key] = json }
            }
        }
        return byID.values.sorted { $0.number < $1.number }
    }

    /// Marks FAIL every RUNNING trial of the study whose heartbeat is older than `gracePeriod` seconds (Optuna's
    /// `fail_stale_trials`; a RUNNING trial without a heartbeat row is left alone, as Optuna leaves it). Returns
    /// their numbers.
    @discardableResult
    public func failStaleTrials(studyID: Int64, gracePeriod: TimeInterval, now: Date = Date()) throws -> [Int] {
        try db.immediateTransaction {
            let rows = try db.query("""
                SELECT t.trial_id, t.number, h.heartbeat FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id
                WHERE t.study_id = ? AND t.state = 'RUNNING'
                """, [.integer(studyID)])
            var failed: [Int] = []
            for row in rows {
                guard case let .integer(id) = row[0], let beat = row[2].string.flatMap(UTCDateTime.parse) else { continue }
                if now.timeIntervalSince(beat) > gracePeriod {
                    try db.query("UPDATE trials SET state = 'FAIL', datetime_complete = ? WHERE trial_id = ?",
                                 [.text(UTCDateTime.format(now)), .integer(id)])
                    failed.append(row[1].int ?? -1)
                }
            }
            return failed.sorted()
        }
    }

    /// Claims the next trial number under the write lock, unless COMPLETE, PRUNED and RUNNING trials already reach
    /// `limit`: inserts a RUNNING trial with its heartbeat and what `sample` draws from the study's trials as they
    /// are at that moment, all in one transaction. The number is the count of the study's earlier trials, as Optuna
    /// computes it.
    ///
    /// - Returns: the new trial, or `nil` when the study is full or `sample` has nothing left.
    public func claimTrial(studyID: Int64, limit: Int?,
                           sample: (_ trials: [TrialRecord], _ number: Int) throws -> SampledTrial?) throws -> TrialRecord? {
        try db.immediateTransaction {
            let existing = try trials(studyID: studyID)
            if let limit, existing.filter({ [.complete, .pruned, .running].contains($0.state) }).count >= limit { return nil }
            let number = existing.count
            guard let drawn = try sample(existing, number) else { return nil }
            let now = UTCDateTime.format(Date())
            try db.query("INSERT INTO trials (number, study_id, state, datetime_start) VALUES (?, ?, 'RUNNING', ?)",
                         [.integer(Int64(number)), .integer(studyID), .text(now)])
            let id = db.lastInsertRowID
            var params: [String: TrialParameter] = [:]
            for (name, p) in drawn.params {
                try db.query("INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?)",
                             [.integer(id), .text(name), .real(p.internalValue), .text(p.distribution.json)])
                params[name] = p
            }
            var system: [String: String] = [:]
            for (key, value) in drawn.systemAttributes {
                try db.query("INSERT INTO trial_system_attributes (trial_id, \"key\", value_json) VALUES (?, ?, ?)",
                             [.integer(id), .text(key), .text(value.text)])
                system[key] = value.text
            }
            try db.query("INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?)", [.integer(id), .text(now)])
            return TrialRecord(id: id, number: number, state: .running, value: nil, start: UTCDateTime.parse(now), complete: nil,
                               params: params, intermediateValues: [:], userAttributes: [:], systemAttributes: system)
        }
    }

    /// Records `value` at `step` for a trial (replacing an earlier value at that step, as Optuna does).
    public func reportIntermediate(trialID: Int64, step: Int, value: Double) throws {
        let (stored, type) = Self.encode(value)
        try db.immediateTransaction {
            try db.query("""
                INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) VALUES (?, ?, ?, ?)
                ON CONFLICT (trial_id, step) DO UPDATE SET intermediate_value = excluded.intermediate_value,
                intermediate_value_type = excluded.intermediate_value_type
                """, [.integer(trialID), .integer(Int64(step)), stored, .text(type)])
        }
    }

    /// Ends a RUNNING trial in `state` with `value` (objective 0).
    ///
    /// - Returns: `false` when the trial was no longer RUNNING (another worker failed it as stale), and nothing changed.
    @discardableResult
    public func finishTrial(trialID: Int64, state: TrialState, value: Double?) throws -> Bool {
        try db.immediateTransaction {
            let current = try db.query("SELECT state FROM trials WHERE trial_id = ?", [.integer(trialID)]).first?[0].string
            guard current == TrialState.running.rawValue else { return false }
            if let value {
                let (stored, type) = Self.encode(value)
                try db.query("""
                    INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, 0, ?, ?)
                    ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, value_type = excluded.value_type
                    """, [.integer(trialID), stored, .text(type)])
            }
            try db.query("UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?",
                         [.text(state.rawValue), .text(UTCDateTime.format(Date())), .integer(trialID)])
            return true
        }
    }

    /// Writes the trial's heartbeat (now).
    public func recordHeartbeat(trialID: Int64) throws {
        try db.immediateTransaction {
            try db.query("""
                INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?)
                ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat
                """, [.integer(trialID), .text(UTCDateTime.format(Date()))])
        }
    }

    /// Sets a user (`user: true`) or system attribute of a trial to a JSON value.
    public func setTrialAttribute(trialID: Int64, key: String, value: JSONValue, user: Bool) throws {
        let table = user ? "trial_user_attributes" : "trial_system_attributes"
        try db.immediateTransaction {
            try db.query("""
                INSERT INTO \(table) (trial_id, "key", value_json) VALUES (?, ?, ?)
                ON CONFLICT (trial_id, "key") DO UPDATE SET value_json = excluded.value_json
                """, [.integer(trialID), .text(key), .text(value.text)])
        }
    }

    /// Optuna's storage of a float: FINITE with the value, or INF_POS / INF_NEG / NAN with NULL.
    static func encode(_ value: Double) -> (SQLiteValue, String) {
        if value.isNaN { return (.null, "NAN") }
        if value.isInfinite { return (.null, value > 0 ? "INF_POS" : "INF_NEG") }
        return (.real(value), "FINITE")
    }

    static func number(_ stored: SQLiteValue, type: String?, table: String, id: Int64) throws -> Double {
        switch type {
        case "FINITE":
            guard let v = stored.double else { throw TuneError.corruptRow(table: table, id: id, reason: "FINITE value is NULL") }
            return v
        case "INF_POS": return .infinity
        case "INF_NEG": return -.infinity
        case "NAN": return .nan
        default: throw TuneError.corruptRow(table: table, id: id, reason: "unknown value type \(type ?? "NULL")")
        }
    }
}

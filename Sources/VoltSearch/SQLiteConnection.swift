import CVoltSQLite
import Foundation

/// One value of a SQLite row or statement parameter.
public enum SQLiteValue: Equatable, Sendable {
    /// SQL `NULL`.
    case null
    /// A 64-bit integer.
    case integer(Int64)
    /// A double.
    case real(Double)
    /// UTF-8 text.
    case text(String)

    /// The value as a Double (integers widen; text and NULL give `nil`).
    public var double: Double? {
        switch self {
        case let .real(v): v
        case let .integer(v): Double(v)
        default: nil
        }
    }

    /// The value as an Int (reals that are whole numbers narrow).
    public var int: Int? {
        switch self {
        case let .integer(v): Int(v)
        case let .real(v) where v == v.rounded() && abs(v) < 9e15: Int(v)
        default: nil
        }
    }

    /// The value as text.
    public var string: String? {
        if case let .text(v) = self { return v }
        return nil
    }
}

/// A failed SQLite call, with the database path and SQLite's own message.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    /// The database file.
    public var path: String
    /// SQLite's result code.
    public var code: Int32
    /// SQLite's message and the statement that failed.
    public var message: String

    public var description: String { "\(path): SQLite error \(code): \(message)" }
}

/// A connection to one SQLite database file, over the C API (libsqlite3).
///
/// Every write runs in ``immediateTransaction(_:)``: `BEGIN IMMEDIATE` takes the write lock at the start, so two
/// processes that read-then-write (claiming the next trial number) serialise instead of failing on upgrade. A busy
/// database is waited for up to `busyTimeout` before ``SQLiteError`` is thrown. A connection belongs to one thread.
public final class SQLiteConnection {
    /// The database file.
    public let path: String
    private var handle: OpaquePointer?

    /// Opens (and creates) `path` in WAL mode with a busy timeout.
    ///
    /// - Throws: ``SQLiteError`` naming `path` when it cannot be opened.
    public init(path: String, busyTimeout: TimeInterval = 60) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            handle = nil
            throw SQLiteError(path: path, code: rc, message: "cannot open: \(message)")
        }
        sqlite3_busy_timeout(handle, Int32(min(busyTimeout * 1000, Double(Int32.max))))
        try enableWriteAheadLog(busyTimeout: busyTimeout)
        try execute("PRAGMA foreign_keys=ON")
    }

    /// Switches the file to WAL mode, retrying while another process holds the lock.
    ///
    /// Changing the journal mode needs an exclusive lock, and SQLite returns `SQLITE_BUSY` for it at once, without
    /// calling the busy handler, when another connection is opening the same new file. So the switch is retried
    /// here until `busyTimeout` has passed; a file already in WAL mode needs no lock at all.
    private func enableWriteAheadLog(busyTimeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                _ = try query("PRAGMA journal_mode=WAL")
                return
            } catch let error as SQLiteError where error.code == SQLITE_BUSY && Date() < deadline {
                usleep(20_000)
            }
        }
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that take no parameters.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        guard rc == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(error)
            throw SQLiteError(path: path, code: rc, message: "\(message) in: \(sql.prefix(200))")
        }
    }

    /// Runs `sql` with `parameters` bound to its `?` placeholders and returns every row.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { throw lastError(sql) }
        defer { sqlite3_finalize(statement) }
        for (i, p) in parameters.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch p {
            case .null: rc = sqlite3_bind_null(statement, index)
            case let .integer(v): rc = sqlite3_bind_int64(statement, index, v)
            case let .real(v): rc = sqlite3_bind_double(statement, index, v)
            case let .text(v): rc = sqlite3_bind_text(statement, index, v, -1, volt_sqlite_transient())
            }
            guard rc == SQLITE_OK else { throw lastError(sql) }
        }
        var rows: [[SQLiteValue]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw lastError(sql) }
            rows.append((0..<sqlite3_column_count(statement)).map { column(statement, $0) })
        }
        return rows
    }

    /// The row id of the last insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; an error rolls back and is rethrown.
    @discardableResult
    public func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func column(_ statement: OpaquePointer?, _ i: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, i))
        case SQLITE_NULL: return .null
        default: return .text(sqlite3_column_text(statement, i).map { String(cString: $0) } ?? "")
        }
    }

    private func lastError(_ sql: String) -> SQLiteError {
        SQLiteError(path: path, code: sqlite3_errcode(handle), message: "\(String(cString: sqlite3_errmsg(handle))) in: \(sql.prefix(200))")
    }
}

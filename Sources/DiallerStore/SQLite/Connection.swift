import CSQLite
import Glibc

/// One SQLite connection and its cache of prepared statements.
///
/// Not thread-safe, like GRDB's `Database`: the writer owns its connection on one serial queue
/// and the reader pool hands each reader to one thread at a time.
public final class Connection {
    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]

    /// Opens (creating when `readOnly` is false) the database file at `path`.
    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000) throws {
        _ = Self.processSettings
        var handle: OpaquePointer?
        // NOMUTEX: SQLite's own locking is redundant because we never share a connection between threads.
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: code, message: message, sql: nil)
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        // A bounded wait for another process's lock (a supervisor's stray write transaction, a
        // live import's chunk): long enough to ride out a checkpoint, short enough that a request
        // fails instead of hanging. Polled every millisecond rather than with SQLite's default
        // back-off (sleeps growing to 100 ms): a live import leaves the lock free for a few
        // milliseconds between chunks, and a writer asleep for 100 ms misses every such gap, so
        // intake starved behind a 20-million-number import (2 s slices with no answer, measured).
        sqlite3_busy_handler(handle, pollEveryMillisecond, UnsafeMutableRawPointer(bitPattern: Int(max(busyTimeoutMilliseconds, 1))))
    }

    /// Set once, before the process's first connection: SQLite's memory statistics off (nothing
    /// here reads them, and they cost a process-wide mutex on every allocation and free).
    private static let processSettings: Void = { _ = dialler_sqlite3_no_memory_statistics() }()

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters (pragmas, migrations, transaction control).
    public func execute(script sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// The cached prepared statement for `sql`, prepared on first use.
    public func statement(_ sql: String) throws -> Statement {
        if let cached = statements[sql] { return cached }
        let statement = try Statement(connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs a statement that returns no rows; answers how many rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ values: SQLValue...) throws -> Int {
        let statement = try statement(sql)
        try statement.run(values)
        return Int(sqlite3_changes(handle))
    }

    /// Runs an INSERT and answers the new row's rowid. Cheaper than `RETURNING`, which makes SQLite
    /// collect the returned rows in a temporary b-tree on every execution.
    public func insert(_ sql: String, _ values: SQLValue...) throws -> Int64 {
        let statement = try statement(sql)
        try statement.run(values)
        return sqlite3_last_insert_rowid(handle)
    }

    /// Runs a query and maps each row.
    public func query<T>(_ sql: String, _ values: SQLValue..., row map: (Row) throws -> T) throws -> [T] {
        let statement = try statement(sql)
        return try statement.rows(values, map)
    }

    /// Runs a query and maps its first row, if any.
    public func queryFirst<T>(_ sql: String, _ values: SQLValue..., row map: (Row) throws -> T) throws -> T? {
        let statement = try statement(sql)
        return try statement.firstRow(values, map)
    }

    /// True when no transaction is open (SQLite rolled one back by itself after a severe error).
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: lastErrorMessage, sql: sql)
    }
}

/// SQLite's busy handler: another try after a millisecond's sleep, for about as many milliseconds
/// as the context's value (the timeout, carried in the pointer itself so nothing is allocated).
private func pollEveryMillisecond(_ context: UnsafeMutableRawPointer?, _ tries: Int32) -> Int32 {
    guard Int(tries) < Int(bitPattern: context) else { return 0 }
    usleep(1_000)
    return 1
}

import CSQLite

/// An error reported by SQLite: the extended result code, SQLite's message and the statement's SQL.
///
/// Bound values are never included: they are partners' personal data.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, ...).
    public let code: Int32
    public let message: String
    public let sql: String?

    /// The primary result code, without the extended bits.
    public var primaryCode: Int32 { code & 0xFF }

    /// The database stayed locked by another connection for longer than the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String {
        let name = String(cString: sqlite3_errstr(code))
        var text = "SQLite error \(code) (\(name)): \(message)"
        if let sql { text += " in <\(sql)>" }
        return text
    }
}

import CSQLite

/// The SQLite library this process is linked with, as the operator needs to know it.
public enum SQLiteLibrary {
    /// `sqlite3_libversion()`, such as `3.40.1`: which known bugs apply (docs/install-and-recovery.md).
    public static var version: String { String(cString: sqlite3_libversion()) }
}

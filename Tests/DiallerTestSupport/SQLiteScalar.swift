import DiallerStore

/// The first column of the first row of `sql` on the database at `db`, as text, read through a
/// read-only connection (nil for NULL or no row): how a test looks at what a command or the
/// server left behind.
public func scalar(_ db: String, _ sql: String) throws -> String? {
    try Connection(path: db, readOnly: true).queryFirst(sql) { $0.optionalText(0) } ?? nil
}

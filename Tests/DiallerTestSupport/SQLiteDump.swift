/// The whole database as SQL text (`sqlite3 -readonly DB .dump`), to show that a refused command
/// or migration changed nothing.
public func sqliteDump(_ db: String) throws -> String {
    try standardOutput(of: "/usr/bin/sqlite3", ["-readonly", db, ".dump"])
}

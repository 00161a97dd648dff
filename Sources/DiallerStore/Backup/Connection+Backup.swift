extension Connection {
    /// Writes a consistent copy of the whole database into `path`, which must not exist or be
    /// empty. The copy is read in one read transaction, a WAL snapshot: it takes no lock the
    /// writer needs, so intake goes on while it runs (sqlite.org/lang_vacuum.html#vacuuminto).
    /// The copy is a single file in rollback-journal mode, with no free pages.
    func vacuum(into path: String) throws {
        try execute("VACUUM INTO ?", .text(path))
    }

    /// The rows of `PRAGMA integrity_check`: exactly `["ok"]` for a sound file.
    func integrityCheck() throws -> [String] {
        try query("PRAGMA integrity_check") { $0.text(0) }
    }

    /// How many leads the database holds.
    func leadCount() throws -> Int {
        try queryFirst("SELECT count(*) FROM leads") { $0.int(0) } ?? 0
    }
}

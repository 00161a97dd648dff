/// What can go wrong in the store, with the context an operator needs to act on it.
public enum StoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An applied migration's file has changed since it was applied.
    case checksumMismatch(file: String, recorded: String, found: String)
    /// The database records a migration the folder does not have.
    case unknownAppliedMigration(version: Int, name: String)
    /// A migration failed; nothing of it was kept.
    case migrationFailed(file: String, message: String)
    /// Two migration files share a version number.
    case duplicateMigrationVersion(Int, files: [String])
    /// The migrations folder cannot be read.
    case migrationsUnreadable(path: String, reason: String)
    /// A lead type names a time zone or calling window that cannot be used.
    case invalidLeadType(name: String, reason: String)
    /// The store is shutting down and takes no new work.
    case closed
    /// A lead or cancel was attempted with a key that belongs to no partner.
    case notAPartnerKey
    /// SQLite rolled the batch's transaction back by itself (disk full, I/O error).
    case transactionAborted

    public var description: String {
        switch self {
        case .checksumMismatch(let file, let recorded, let found):
            "migration \(file) was changed after it was applied (recorded checksum \(recorded), file now \(found)); add a new migration instead of editing an applied one"
        case .unknownAppliedMigration(let version, let name):
            "the database has migration \(version) (\(name)) applied, but the migrations folder has no such file"
        case .migrationFailed(let file, let message):
            "migration \(file) failed: \(message)"
        case .duplicateMigrationVersion(let version, let files):
            "migration version \(version) is used by more than one file: \(files.joined(separator: ", "))"
        case .migrationsUnreadable(let path, let reason):
            "cannot read migrations folder \(path): \(reason)"
        case .invalidLeadType(let name, let reason):
            "lead type \(name) cannot be scheduled: \(reason)"
        case .closed:
            "the store is shut down"
        case .notAPartnerKey:
            "only a partner key can submit or cancel leads"
        case .transactionAborted:
            "the transaction was rolled back by SQLite"
        }
    }
}

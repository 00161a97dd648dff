import CSQLite

/// What can go wrong in the store, with the context an operator needs to act on it.
public enum StoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An applied migration's file has changed since it was applied.
    case checksumMismatch(file: String, recorded: String, found: String)
    /// The database records a migration the folder does not have.
    case unknownAppliedMigration(version: Int, name: String)
    /// A migration failed; nothing of it was kept.
    case migrationFailed(file: String, message: String)
    /// A migration ran but broke a promise the database keeps (a lead type that cannot be
    /// scheduled, say); it was rolled back and not recorded.
    case migrationRefused(file: String, reason: String)
    /// A `.sql` file in the migrations folder is not named `NNNN_name.sql`.
    case badMigrationName(String)
    /// A seed file carries a shipped migration's number with other contents.
    case seedShadowsSchema(file: String, shipped: String)
    /// A seed file is numbered below 1000, where the shipped schema's numbers are.
    case seedNumberReserved(file: String)
    /// An administrative command found a database whose schema is older than the binary's.
    case schemaBehind(path: String, missing: String)
    /// An administrative command was pointed at a database file that does not exist.
    case databaseMissing(path: String)
    /// Two migration files share a version number.
    case duplicateMigrationVersion(Int, files: [String])
    /// The migrations folder cannot be read.
    case migrationsUnreadable(path: String, reason: String)
    /// A lead type names a time zone or calling window that cannot be used.
    case invalidLeadType(name: String, reason: String)
    /// A recycling rule names an unknown type or result, or a delay or limit out of range.
    case invalidRecyclingRule(type: String, result: String, reason: String)
    /// A partner's daily cap (seeded by a migration) that cannot be used.
    case invalidPartnerCap(partner: String, type: String, reason: String)
    /// The store is shutting down and takes no new work.
    case closed
    /// A lead or cancel was attempted with a key that belongs to no partner.
    case notAPartnerKey
    /// SQLite rolled the batch's transaction back by itself (disk full, I/O error).
    case transactionAborted
    /// An fsync of the WAL failed (SQLite's result code): the batches it covered are not saved,
    /// and the store takes no writes until it is reopened (after fsyncgate, a later sync that
    /// succeeds proves nothing).
    case walSyncFailed(code: Int32)
    /// A backup would replace an existing file and was not told it may.
    case backupTargetExists(path: String)
    /// A backup cannot be written where it was asked to go.
    case backupTargetUnwritable(path: String, reason: String)
    /// Reading the database or writing its copy failed; nothing was left at the target.
    case backupFailed(path: String, reason: String)
    /// The finished copy did not pass `PRAGMA integrity_check`; it was removed.
    case backupIntegrityFailed(path: String, problems: [String])

    public var description: String {
        switch self {
        case .checksumMismatch(let file, let recorded, let found):
            "migration \(file) was changed after it was applied (recorded checksum \(recorded), file now \(found)); add a new migration instead of editing an applied one"
        case .unknownAppliedMigration(let version, let name):
            "the database has migration \(version) (\(name)) applied, but neither this binary nor the migrations folder has it (give --migrations the folder it came from)"
        case .migrationFailed(let file, let message):
            "migration \(file) failed: \(message)"
        case .migrationRefused(let file, let reason):
            "migration \(file): \(reason)"
        case .badMigrationName(let file):
            "migration file \(file) is not named NNNN_name.sql (for example 1001_our_types.sql), so it would never run; rename it"
        case .seedShadowsSchema(let file, let shipped):
            "migration \(file) has the number of the shipped schema migration \(shipped) but other contents; number your own files from 1000"
        case .seedNumberReserved(let file):
            "migration \(file): numbers below 1000 belong to the shipped schema; number your own files from 1000"
        case .schemaBehind(let path, let missing):
            "database \(path) is behind this binary's schema (\(missing) is not applied); run dialler-server migrate --db \(path) first"
        case .databaseMissing(let path):
            "database \(path) does not exist (give --db, or create it with dialler-server migrate --db \(path))"
        case .duplicateMigrationVersion(let version, let files):
            "migration version \(version) is used by more than one file: \(files.joined(separator: ", "))"
        case .migrationsUnreadable(let path, let reason):
            "cannot read migrations folder \(path): \(reason)"
        case .invalidLeadType(let name, let reason):
            "lead type \"\(name)\": \(reason)"
        case .invalidRecyclingRule(let type, let result, let reason):
            "recycling rule (type \"\(type)\", result \"\(result)\"): \(reason)"
        case .invalidPartnerCap(let partner, let type, let reason):
            "daily cap of partner \"\(partner)\" for lead type \"\(type)\": \(reason)"
        case .closed:
            "the store is shut down"
        case .notAPartnerKey:
            "only a partner key can submit or cancel leads"
        case .transactionAborted:
            "the transaction was rolled back by SQLite"
        case .walSyncFailed(let code):
            "an fsync of the WAL failed (\(String(cString: sqlite3_errstr(code)))); nothing written since is known to be on disk, so the store takes no writes until the server is restarted"
        case .backupTargetExists(let path):
            "backup target \(path) already exists; give --force to replace it"
        case .backupTargetUnwritable(let path, let reason):
            "cannot write backup \(path): \(reason)"
        case .backupFailed(let path, let reason):
            "cannot back up database \(path): \(reason)"
        case .backupIntegrityFailed(let path, let problems):
            "the copy for \(path) failed PRAGMA integrity_check (\(problems.prefix(3).joined(separator: "; "))) and was removed"
        }
    }
}

/// Applies pending migrations, each in its own immediate transaction, and records them in
/// `schema_migrations`; refuses a database whose history does not match the migrations it knows.
public struct MigrationRunner {
    public let migrations: [Migration]
    /// What the database promises after every migration (lead types that can be scheduled, and so
    /// on), checked inside the migration's transaction: a migration that breaks a promise is rolled
    /// back whole and not recorded, so fixing the file and running again applies it.
    public let promises: (Connection) throws -> Void

    public init(migrations: [Migration], promises: @escaping (Connection) throws -> Void = { _ in }) {
        self.migrations = migrations
        self.promises = promises
    }

    /// Applies what is pending and answers what was applied.
    @discardableResult
    public func apply(to connection: Connection, at time: Timestamp) throws -> [Migration] {
        try connection.execute(
            script: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY,
                    name       TEXT NOT NULL,
                    checksum   TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                ) STRICT;
                """)
        let applied = try Self.appliedMigrations(on: connection)
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for record in applied {
            guard let migration = byVersion[record.version] else {
                throw StoreError.unknownAppliedMigration(version: record.version, name: record.name)
            }
            if migration.checksum != record.checksum {
                throw StoreError.checksumMismatch(file: migration.fileName, recorded: record.checksum, found: migration.checksum)
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let pending = migrations.filter { !appliedVersions.contains($0.version) }
        for migration in pending {
            try apply(migration, to: connection, at: time)
        }
        return pending
    }

    /// Checks, without changing anything, that every one of `migrations` is applied unedited;
    /// migrations the database has beyond them (administrators' seeds) are fine.
    public func requireApplied(on connection: Connection, path: String) throws {
        let hasTable =
            try connection.queryFirst(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ) { _ in true } ?? false
        let applied = hasTable ? try Self.appliedMigrations(on: connection) : []
        let recorded = Dictionary(uniqueKeysWithValues: applied.map { ($0.version, $0.checksum) })
        for migration in migrations {
            guard let checksum = recorded[migration.version] else {
                throw StoreError.schemaBehind(path: path, missing: migration.fileName)
            }
            if checksum != migration.checksum {
                throw StoreError.checksumMismatch(file: migration.fileName, recorded: checksum, found: migration.checksum)
            }
        }
    }

    private static func appliedMigrations(on connection: Connection) throws -> [(version: Int, name: String, checksum: String)] {
        try connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version") { row in
            (version: row.int(0), name: row.text(1), checksum: row.text(2))
        }
    }

    /// Foreign keys are checked once, before the commit, rather than statement by statement (SQLite's
    /// procedure for changing a table's definition, sqlite.org/lang_altertable.html#otheralter):
    /// a migration may rebuild a table others refer to, and still cannot leave a dangling reference.
    private func apply(_ migration: Migration, to connection: Connection, at time: Timestamp) throws {
        // Outside any transaction, where SQLite honours it: before BEGIN, and after COMMIT or ROLLBACK.
        try connection.execute(script: "PRAGMA foreign_keys = OFF")
        defer { try? connection.execute(script: "PRAGMA foreign_keys = ON") }
        do {
            try connection.execute(script: "BEGIN IMMEDIATE")
            try connection.execute(script: migration.sql)
            // A script that ends its own transaction would leave the rest of this one unguarded.
            if connection.isAutocommit {
                throw StoreError.migrationFailed(file: migration.fileName, message: "the file must not contain BEGIN, COMMIT or ROLLBACK")
            }
            if let dangling = try connection.queryFirst(
                "PRAGMA foreign_key_check",
                row: { row in
                    "a row of \(row.text(0)) (rowid \(row.optionalText(1) ?? "?")) refers to a missing row of \(row.text(2))"
                })
            {
                throw StoreError.migrationFailed(file: migration.fileName, message: "FOREIGN KEY constraint failed: \(dangling)")
            }
            do {
                try promises(connection)
            } catch let broken as StoreError {
                throw StoreError.migrationRefused(file: migration.fileName, reason: broken.description)
            }
            try connection.execute(
                "INSERT INTO schema_migrations(version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                .int(migration.version), .text(migration.name), .text(migration.checksum), .text(time.iso8601))
            try connection.execute(script: "COMMIT")
        } catch {
            if !connection.isAutocommit { try? connection.execute(script: "ROLLBACK") }
            if let error = error as? StoreError { throw error }  // already names the file
            let message = (error as? SQLiteError)?.message ?? "\(error)"
            throw StoreError.migrationFailed(file: migration.fileName, message: message)
        }
    }
}

import DiallerStore
import Foundation
import Testing

/// Applies the migrations in `folder` to the database at `path`, as the store does on opening.
@discardableResult
func migrate(_ path: String, _ folder: String) throws -> [Migration] {
    let connection = try Connection(path: path)
    return try MigrationRunner(migrations: try MigrationLoader.load(from: folder))
        .apply(to: connection, at: Timestamp(milliseconds: 1_795_000_000_000))
}

@Suite struct MigrationTests {
    @Test func appliesInOrderAndOnlyOnce() async throws {
        try await withTemporaryDirectory { directory in
            let folder = try makeMigrationsFolder(
                in: directory,
                [
                    "0002_second.sql": "INSERT INTO things(name) VALUES ('second');",
                    "0001_first.sql": "CREATE TABLE things(name TEXT) STRICT;",
                    "1000_admin_seed.sql": "INSERT INTO things(name) VALUES ('seed');",
                    "README.txt": "not a migration",
                ])
            let path = directory + "/db.sqlite"
            #expect(try migrate(path, folder).map(\.version) == [1, 2, 1000])
            #expect(try migrate(path, folder).isEmpty)
            let reader = try Connection(path: path, readOnly: true)
            let names = try reader.query("SELECT name FROM things ORDER BY rowid") { $0.text(0) }
            #expect(names == ["second", "seed"])
            let recorded = try reader.query("SELECT version, name, length(checksum), applied_at FROM schema_migrations ORDER BY version") {
                "\($0.int(0)) \($0.text(1)) \($0.int(2)) \($0.text(3).hasSuffix("Z"))"
            }
            #expect(recorded == ["1 first 64 true", "2 second 64 true", "1000 admin_seed 64 true"])
        }
    }

    @Test func editedMigrationIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let folder = try makeMigrationsFolder(in: directory, ["0001_first.sql": "CREATE TABLE things(name TEXT);"])
            let path = directory + "/db.sqlite"
            try migrate(path, folder)
            try "CREATE TABLE things(name TEXT, extra TEXT);".write(toFile: folder + "/0001_first.sql", atomically: true, encoding: .utf8)
            let error = #expect(throws: StoreError.self) { try migrate(path, folder) }
            guard case .checksumMismatch(let file, let recorded, let found)? = error else {
                Issue.record("expected a checksum mismatch, got \(String(describing: error))")
                return
            }
            #expect(file == "0001_first.sql")
            #expect(recorded != found)
            #expect(error!.description.contains("0001_first.sql"))
        }
    }

    @Test func appliedMigrationMissingFromFolderIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let folder = try makeMigrationsFolder(
                in: directory,
                [
                    "0001_first.sql": "CREATE TABLE things(name TEXT);",
                    "0002_second.sql": "CREATE TABLE others(name TEXT);",
                ])
            let path = directory + "/db.sqlite"
            try migrate(path, folder)
            try FileManager.default.removeItem(atPath: folder + "/0002_second.sql")
            #expect(throws: StoreError.unknownAppliedMigration(version: 2, name: "second")) { try migrate(path, folder) }
        }
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        try await withTemporaryDirectory { directory in
            let folder = try makeMigrationsFolder(
                in: directory,
                [
                    "0001_first.sql": "CREATE TABLE things(name TEXT);",
                    "0002_broken.sql": "CREATE TABLE half(name TEXT); INSERT INTO things VALUES ('x'); INSERT INTO nowhere VALUES (1);",
                ])
            let path = directory + "/db.sqlite"
            let error = #expect(throws: StoreError.self) { try migrate(path, folder) }
            guard case .migrationFailed(let file, let message)? = error else {
                Issue.record("expected a failed migration, got \(String(describing: error))")
                return
            }
            #expect(file == "0002_broken.sql")
            #expect(message.contains("no such table: nowhere"))
            // The first migration stays applied; nothing of the second exists.
            #expect(try scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'half'") == "0")
            #expect(try scalar(path, "SELECT count(*) FROM things") == "0")
            #expect(try scalar(path, "SELECT group_concat(version) FROM schema_migrations") == "1")
        }
    }

    @Test func duplicateVersionsAreRefused() async throws {
        try await withTemporaryDirectory { directory in
            let folder = try makeMigrationsFolder(in: directory, ["0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 1;"])
            #expect(throws: StoreError.self) { try migrate(directory + "/db.sqlite", folder) }
        }
    }

    @Test func seedMigrationInsertsATypeByNameAlone() async throws {
        try await withTemporaryDirectory { directory in
            let folder = directory + "/migrations"
            try FileManager.default.copyItem(atPath: migrationsDirectory, toPath: folder)
            try "INSERT INTO lead_types(name) VALUES ('motor-trade');".write(
                toFile: folder + "/1000_our_types.sql", atomically: true, encoding: .utf8)
            let store = try Store(StoreConfiguration(path: directory + "/db.sqlite", migrationsDirectory: folder))
            defer { store.close() }
            let row = try await store.read {
                try $0.queryFirst(
                    "SELECT call_group, active, dedupe_days, default_delay, window_start, time_zone FROM lead_types WHERE name = 'motor-trade'"
                ) {
                    "\($0.text(0)) \($0.int(1)) \($0.int(2)) \($0.int(3)) \($0.optionalText(4) ?? "NULL") \($0.text(5))"
                }
            }
            #expect(row == "motor-trade 1 30 0 NULL Europe/London")
            #expect(store.leadTypeNames == ["motor-trade"])
        }
    }

    @Test func unknownTimeZoneRefusesTheMigrationAndStart() async throws {
        try await withTemporaryDirectory { directory in
            let folder = directory + "/migrations"
            try FileManager.default.copyItem(atPath: migrationsDirectory, toPath: folder)
            try "INSERT INTO lead_types(name, window_start, window_end, time_zone) VALUES ('t', '09:00', '17:00', 'Mars/Olympus');".write(
                toFile: folder + "/1000_bad.sql", atomically: true, encoding: .utf8)
            let configuration = StoreConfiguration(path: directory + "/db.sqlite", migrationsDirectory: folder)
            #expect(throws: StoreError.migrationRefused(file: "1000_bad.sql", reason: #"lead type "t": unknown time zone "Mars/Olympus""#)) {
                try Store(configuration)
            }
            // A zone broken outside any migration (a supervisor's UPDATE) still refuses start.
            try "INSERT INTO lead_types(name) VALUES ('t');".write(toFile: folder + "/1000_bad.sql", atomically: true, encoding: .utf8)
            try Store(configuration).close()
            try Connection(path: configuration.path).execute(script: "UPDATE lead_types SET time_zone = 'Mars/Olympus'")
            #expect(throws: StoreError.invalidLeadType(name: "t", reason: #"unknown time zone "Mars/Olympus""#)) {
                try Store(configuration)
            }
        }
    }
}

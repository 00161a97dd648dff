import DiallerStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension OneAtATime {
    /// `dialler-server backup` as an administrator runs it: against a real server under concurrent
    /// intake, and every way it can refuse.
    @Suite(.serialized) struct BackupTests {
        /// Leads put in before the server starts, so the copy takes long enough to overlap intake.
        static let prefilledLeads = 200_000

        /// Adds `count` leads straight into the file (no server running), one transaction.
        static func prefill(_ db: String, leads count: Int) throws {
            let connection = try Connection(path: db)
            try connection.inTransaction {
                try connection.execute(
                    """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                    INSERT INTO contacts(mobile, created_at) SELECT '+4470' || printf('%08d', i), '2026-01-01T00:00:00.000Z' FROM n
                    """, .int(count))
                try connection.execute(
                    """
                    INSERT INTO leads(received_at, partner_id, key_id, type, lead_type_id, first_name, surname, email,
                                      contact_id, outcome, raw_request)
                    SELECT '2026-01-01T00:00:00.000Z', 1, 1, 'motor-trade', 1, 'Jane', 'Roe', 'jane.roe@example.com',
                           contact_id, 'already_scheduled', '{"first_name":"Jane","surname":"Roe"}'
                    FROM contacts WHERE mobile GLOB '+4470*'
                    """)
            }
        }

        @Test func aBackupUnderLoadIsSoundHoldsEveryAcknowledgedLeadAndNeverStallsIntake() async throws {
            try await withTemporaryDirectory { folder in
                let setup = try CrashSafetyTests.prepare(folder)
                try Self.prefill(setup.db, leads: Self.prefilledLeads)
                let server = try ServerProcess(database: setup.db, migrations: setup.migrations)
                defer {
                    server.signal(SIGKILL)
                    _ = server.waitForExit(seconds: 10)
                }
                let load = IntakeLoad()
                async let intake: Void = load.run(port: server.port, key: setup.key, clients: 8, prefix: 11)
                try await load.waitForSaved(atLeast: 200)

                let copy = folder + "/copies/dialler-copy.sqlite"
                try FileManager.default.createDirectory(atPath: folder + "/copies", withIntermediateDirectories: true)
                let started = ContinuousClock.now
                let acknowledgedBefore = load.savedMobiles(before: started)
                let backup = try await DiallerBinary.runOffThePool(["backup", "--db", setup.db, "--to", copy])
                let finished = ContinuousClock.now
                try await Task.sleep(for: .milliseconds(200))
                load.stop()
                await intake

                #expect(backup.status == 0, "backup failed: \(backup.err)")
                #expect(backup.out.hasPrefix("backed up \(setup.db) to \(copy): "))
                #expect(backup.out.contains("integrity_check ok"))
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder + "/copies")
                #expect(leftovers == ["dialler-copy.sqlite"], "only the copy is left beside it: \(leftovers)")

                // Read-write: a read-only connection's integrity_check skips the CHECK constraints.
                let connection = try Connection(path: copy)
                #expect(try connection.query("PRAGMA integrity_check") { $0.text(0) } == ["ok"])
                #expect(try connection.queryFirst("PRAGMA journal_mode") { $0.text(0) } == "delete")
                let stored = Set(try connection.query("SELECT mobile FROM leads_report") { $0.text(0) })
                let lost = acknowledgedBefore.filter { !stored.contains($0) }
                #expect(!acknowledgedBefore.isEmpty)
                #expect(lost.isEmpty, "\(lost.count) leads acknowledged before the backup started are not in the copy, e.g. \(lost.prefix(3))")
                #expect(stored.count >= Self.prefilledLeads + acknowledgedBefore.count)

                // Intake went on during the copy, and no request that overlapped it waited long.
                let overlapping = load.answered.filter { $0.answered > started && $0.sent < finished }
                let slowest = overlapping.map { $0.answered.seconds(since: $0.sent) }.max() ?? 0
                let during = overlapping.count { $0.saved && $0.answered < finished }
                print(backup.out, terminator: "")
                print(
                    "backup of \(stored.count) leads took \(String(format: "%.2f", finished.seconds(since: started))) s; "
                        + "\(during) leads saved meanwhile; slowest overlapping request \(String(format: "%.3f", slowest)) s")
                #expect(during > 0, "no lead was saved while the backup ran")
                #expect(slowest < 1.0, "an intake request took \(slowest) s during the backup")
            }
        }

        @Test func forceReplacesAnExistingCopy() async throws {
            try await withTemporaryDirectory { folder in
                let setup = try CrashSafetyTests.prepare(folder)
                let copy = folder + "/copy.sqlite"
                try "an older copy".write(toFile: copy, atomically: true, encoding: .utf8)
                let result = try DiallerBinary.run(["backup", "--db", setup.db, "--to", copy, "--force"])
                #expect(result.status == 0, "\(result.err)")
                let connection = try Connection(path: copy, readOnly: true)
                #expect(try connection.queryFirst("SELECT count(*) FROM api_keys") { $0.int(0) } == 1)
            }
        }

        @Test func theEnvironmentNamesTheDatabaseAndTheTarget() async throws {
            try await withTemporaryDirectory { folder in
                let setup = try CrashSafetyTests.prepare(folder)
                let result = try DiallerBinary.run(["backup"], environment: ["DIALLER_DB": setup.db, "DIALLER_BACKUP_TO": folder + "/env.sqlite"])
                #expect(result.status == 0, "\(result.err)")
                #expect(FileManager.default.fileExists(atPath: folder + "/env.sqlite"))
            }
        }

        @Test func refusalsAreOneLineAndLeaveNothingBehind() async throws {
            try await withTemporaryDirectory { folder in
                let setup = try CrashSafetyTests.prepare(folder)
                let existing = folder + "/existing.sqlite"
                try "keep me".write(toFile: existing, atomically: true, encoding: .utf8)
                let garbage = folder + "/garbage.sqlite"
                try String(repeating: "not a database ", count: 500).write(toFile: garbage, atomically: true, encoding: .utf8)
                let cases: [([String], String)] = [
                    (
                        ["backup", "--db", folder + "/missing.sqlite", "--to", folder + "/a.sqlite"],
                        "Error: database \(folder)/missing.sqlite does not exist (give --db, or create it with dialler-server migrate --db \(folder)/missing.sqlite)"
                    ),
                    (
                        ["backup", "--db", setup.db, "--to", existing],
                        "Error: backup target \(existing) already exists; give --force to replace it"
                    ),
                    (
                        ["backup", "--db", setup.db, "--to", folder + "/no/such/folder/b.sqlite"],
                        "Error: cannot write backup \(folder)/no/such/folder/b.sqlite: No such file or directory"
                    ),
                    (
                        ["backup", "--db", setup.db, "--to", folder],
                        "Error: cannot write backup \(folder): it is a folder; name the copy's file"
                    ),
                    (
                        ["backup", "--db", setup.db, "--to", setup.db, "--force"],
                        "Error: cannot write backup \(setup.db): it is the database itself"
                    ),
                    (
                        ["backup", "--db", garbage, "--to", folder + "/c.sqlite"],
                        "Error: cannot back up database \(garbage): file is not a database"
                    ),
                    (["backup", "--db", setup.db], "Error: give --to PATH, the file the copy is written to"),
                    (["backup", "--db", " ", "--to", folder + "/d.sqlite"], "Error: --db must be a non-blank value, got \" \""),
                ]
                for (arguments, message) in cases {
                    let result = try DiallerBinary.run(arguments, environment: ["DIALLER_BACKUP_TO": ""])
                    #expect(result.status != 0, "\(arguments)")
                    #expect(result.err == message + "\n", "\(arguments)")
                }
                #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
                let left = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
                    $0.contains(".partial") || $0.hasSuffix("a.sqlite") || $0.hasSuffix("c.sqlite")
                }
                #expect(left.isEmpty, "left behind: \(left)")
            }
        }

        @Test func aFolderThatCannotBeWrittenIsNamed() async throws {
            try await withTemporaryDirectory { folder in
                let setup = try CrashSafetyTests.prepare(folder)
                let locked = folder + "/locked"
                try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
                try UnwritableFolder.lock(locked)
                defer { UnwritableFolder.unlock(locked) }
                let result = try DiallerBinary.run(["backup", "--db", setup.db, "--to", locked + "/copy.sqlite"])
                #expect(result.status != 0)
                let line = result.err.split(separator: "\n").first.map(String.init) ?? ""
                #expect(
                    line == "Error: cannot write backup \(locked)/copy.sqlite: Permission denied"
                        || line == "Error: cannot write backup \(locked)/copy.sqlite: Operation not permitted", "\(result.err)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: locked).isEmpty)
            }
        }

        @Test func aCopyThatFailsTheIntegrityCheckIsRemoved() async throws {
            try await withTemporaryDirectory { folder in
                let setup = try CrashSafetyTests.prepare(folder)
                // A row that breaks a CHECK constraint: VACUUM INTO copies it, integrity_check names it.
                let connection = try Connection(path: setup.db)
                try connection.execute(script: "PRAGMA ignore_check_constraints = ON")
                try connection.execute(
                    """
                    INSERT INTO contacts(mobile, created_at) VALUES ('+447000000001', '2026-01-01T00:00:00.000Z')
                    """)
                try connection.execute(
                    """
                    INSERT INTO leads(received_at, partner_id, key_id, type, first_name, surname, email, contact_id, outcome, raw_request)
                    VALUES ('2026-01-01T00:00:00.000Z', 1, 1, 'motor-trade', 'J', 'D', 'j@example.com', 1, 'bogus', '{}')
                    """)
                let copy = folder + "/copy.sqlite"
                let result = try DiallerBinary.run(["backup", "--db", setup.db, "--to", copy])
                #expect(result.status != 0)
                #expect(
                    result.err.hasPrefix("Error: the copy for \(copy) failed PRAGMA integrity_check (CHECK constraint failed in leads"),
                    "\(result.err)")
                #expect(result.err.hasSuffix(") and was removed\n"))
                #expect(!FileManager.default.fileExists(atPath: copy))
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.contains(".partial") })
            }
        }
    }
}

/// A folder no one, root included, can create files in: mode 0555, and as root the immutable
/// attribute too (root ignores permission bits; `chattr +i` binds it on ext4 and most others).
enum UnwritableFolder {
    static func lock(_ path: String) throws {
        chmod(path, 0o555)
        if getuid() == 0 { try chattr("+i", path) }
        let probe = path + "/probe"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            unlink(probe)
            throw UnwritableFolderError.stillWritable(path)
        }
    }

    static func unlock(_ path: String) {
        if getuid() == 0 { try? chattr("-i", path) }
        chmod(path, 0o755)
    }

    private static func chattr(_ flag: String, _ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag, path]
        try process.run()
        process.waitUntilExit()
    }
}

/// A folder stayed writable after `UnwritableFolder.lock` (a file system without `chattr +i`).
enum UnwritableFolderError: Error {
    case stillWritable(String)
}

extension DiallerBinary {
    /// `run` on a Dispatch thread, so a long command does not hold one of the few threads the
    /// test's concurrent load (and its timings) runs on.
    static func runOffThePool(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, out: String, err: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(arguments, environment: environment) })
            }
        }
    }
}

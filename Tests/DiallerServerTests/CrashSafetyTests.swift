import DiallerStore
import Foundation
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real binary under concurrent load, kills it, and checks that nothing acknowledged was lost.
/// `CRASH_CYCLES=200 swift test --filter CrashSafetyTests` runs a long version on demand.
@Suite(.serialized) struct CrashSafetyTests {
    static let cycles = Int(ProcessInfo.processInfo.environment["CRASH_CYCLES"] ?? "") ?? 3

    /// A database folder with the real migrations, a seeded type and a partner key.
    static func prepare(_ folder: String) throws -> (db: String, migrations: String, key: String) {
        let migrations = folder + "/Migrations"
        try FileManager.default.copyItem(atPath: migrationsDirectory, toPath: migrations)
        try "INSERT INTO lead_types(name) VALUES ('motor-trade');\n".write(toFile: migrations + "/1000_types.sql", atomically: true, encoding: .utf8)
        let db = folder + "/crash.sqlite"
        _ = try DiallerBinary.run(["migrate", "--db", db, "--migrations", migrations])
        let created = try DiallerBinary.run(["keys", "create", "--partner", "acme", "--db", db])
        return (db, migrations, String(created.out.prefix { $0 != "\n" }))
    }

    /// Every acknowledged mobile has its lead; the file is sound; no call is queued twice.
    static func verify(db: String, acknowledged: [String]) throws {
        // Read-write: on a read-only connection SQLite 3.40's integrity_check skips CHECK constraints.
        let connection = try Connection(path: db)
        #expect(try connection.queryFirst("PRAGMA integrity_check") { $0.text(0) } == "ok")
        let stored = Set(try connection.query("SELECT mobile FROM leads_report") { $0.text(0) })
        let lost = acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged leads lost, e.g. \(lost.prefix(3))")
        #expect(try connection.queryFirst("SELECT count(*) - count(DISTINCT call_id) FROM call_queue") { $0.int(0) } == 0)
        #expect(
            try connection.queryFirst("SELECT count(*) FROM call_queue q JOIN calls c USING (call_id) WHERE c.state <> 'queued'") { $0.int(0) } == 0)
    }

    @Test func killedMidStreamLosesNothingAcknowledged() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try Self.prepare(folder)
            var acknowledged: [String] = []
            for cycle in 0..<Self.cycles {
                let server = try ServerProcess(database: setup.db, migrations: setup.migrations, extraArguments: ["--promote-every", "0.05"])
                let intake = IntakeLoad()
                async let load: Void = intake.run(port: server.port, key: setup.key, clients: 8, prefix: cycle)
                try await intake.waitForSaved(atLeast: 20)
                try await Task.sleep(for: .milliseconds((cycle * 37) % 200))
                server.signal(SIGKILL)
                _ = server.waitForExit(seconds: 10)
                intake.stop()
                await load
                #expect(intake.savedCount >= 20, "cycle \(cycle) acknowledged only \(intake.savedCount) leads before the kill")
                acknowledged += intake.savedMobiles(before: .now)
                try Self.verify(db: setup.db, acknowledged: acknowledged)
            }
        }
    }

    @Test func sigtermFinishesInFlightWorkAndExitsZero() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try Self.prepare(folder)
            let server = try ServerProcess(database: setup.db, migrations: setup.migrations)
            let intake = IntakeLoad()
            async let load: Void = intake.run(port: server.port, key: setup.key, clients: 4, prefix: 99)
            try await intake.waitForSaved(atLeast: 20)
            let signalled = ContinuousClock.now
            server.signal(SIGTERM)
            let status = server.waitForExit(seconds: 15)
            intake.stop()
            await load
            let acknowledged = intake.savedMobiles(before: .now)
            #expect(status == 0)
            #expect(ContinuousClock.now - signalled < .seconds(15))
            #expect(server.output.contains("promotion worker stopped"))
            #expect(server.output.contains("store closed"))
            #expect(server.output.contains("shut down cleanly"))
            #expect(!acknowledged.isEmpty)
            try Self.verify(db: setup.db, acknowledged: acknowledged)
            // The WAL was checkpointed into the database file on the way out.
            let walSize = (try? FileManager.default.attributesOfItem(atPath: setup.db + "-wal")[.size] as? Int) ?? 0
            #expect(walSize == 0)
        }
    }
}

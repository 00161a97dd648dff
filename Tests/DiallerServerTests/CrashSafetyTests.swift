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

    /// Posts distinct leads from `clients` connections until the server goes away or `stop` is set,
    /// adding every mobile acknowledged with `saved:true` to `acknowledged` as it comes.
    static func load(port: Int, key: String, cycle: Int, clients: Int, stop: StopFlag, acknowledged: Acknowledged) async {
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    let connection = TestClient(host: "127.0.0.1", port: port)
                    connection.connect()
                    defer { Task { try? await connection.shutdown() } }
                    for n in 0..<100_000 where !stop.isSet {
                        let mobile = String(format: "079%02d%02d%04d", cycle % 100, client, n)
                        let body = leadBody(mobile: mobile)
                        guard let response = try? await connection.execute(.init(
                            "/lead/add?key=\(key)", method: .post, headers: [.contentType: "application/json"],
                            body: ByteBuffer(string: body))) else { break }
                        if String(buffer: response.body ?? ByteBuffer()).hasPrefix(#"{"saved":true"#) { acknowledged.add("+44" + mobile.dropFirst()) }
                    }
                }
            }
        }
    }

    /// Waits (up to 60 s) until the load has had `count` leads acknowledged, so a kill always lands
    /// mid-stream even on a machine busy with other tests.
    static func waitForAcknowledged(_ acknowledged: Acknowledged, atLeast count: Int) async throws {
        for _ in 0..<1200 where acknowledged.count < count { try await Task.sleep(for: .milliseconds(50)) }
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
        #expect(try connection.queryFirst("SELECT count(*) FROM call_queue q JOIN calls c USING (call_id) WHERE c.state <> 'queued'") { $0.int(0) } == 0)
    }

    @Test func killedMidStreamLosesNothingAcknowledged() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialler-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let setup = try Self.prepare(folder)
        var acknowledged: [String] = []
        for cycle in 0..<Self.cycles {
            let server = try ServerProcess(database: setup.db, migrations: setup.migrations, extraArguments: ["--promote-every", "0.05"])
            let stop = StopFlag()
            let saved = Acknowledged()
            async let load: Void = Self.load(port: server.port, key: setup.key, cycle: cycle, clients: 8, stop: stop, acknowledged: saved)
            try await Self.waitForAcknowledged(saved, atLeast: 20)
            try await Task.sleep(for: .milliseconds((cycle * 37) % 200))
            server.signal(SIGKILL)
            _ = server.waitForExit(seconds: 10)
            stop.set()
            await load
            #expect(saved.count >= 20, "cycle \(cycle) acknowledged only \(saved.count) leads before the kill")
            acknowledged += saved.all
            try Self.verify(db: setup.db, acknowledged: acknowledged)
        }
    }

    @Test func sigtermFinishesInFlightWorkAndExitsZero() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialler-term-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let setup = try Self.prepare(folder)
        let server = try ServerProcess(database: setup.db, migrations: setup.migrations)
        let stop = StopFlag()
        let saved = Acknowledged()
        async let load: Void = Self.load(port: server.port, key: setup.key, cycle: 99, clients: 4, stop: stop, acknowledged: saved)
        try await Self.waitForAcknowledged(saved, atLeast: 20)
        let signalled = ContinuousClock.now
        server.signal(SIGTERM)
        let status = server.waitForExit(seconds: 15)
        stop.set()
        await load
        let acknowledged = saved.all
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

/// Mobiles acknowledged with `saved:true`, added by the load's tasks as responses arrive.
final class Acknowledged: Sendable {
    private let mobiles = Mutex<[String]>([])
    func add(_ mobile: String) { mobiles.withLock { $0.append(mobile) } }
    var count: Int { mobiles.withLock { $0.count } }
    var all: [String] { mobiles.withLock { $0 } }
}

import DiallerStore
import Foundation
import Testing

/// Migration 0010 on a populated database: every lead, call and queued row is kept; the queued
/// call gets its place in the new order; leads take the `daily_cap` outcome.
@Suite struct QueueOrderMigrationTests {
    @Test func theQueueAndLeadsAreRebuiltKeepingEveryRow() async throws {
        try await withTemporaryDirectory { directory in
            let (path, folder, connection) = try SchemaRebuildTests.populatedDatabase(in: directory, before: "0010")
            try connection.execute(
                script: """
                    INSERT INTO call_attempts(call_id, contact_id, dialler_id, claimed_at) VALUES (4, 2, 2, '2026-11-29T10:00:07.000Z');
                    """)
            let leads = try SchemaRebuildTests.dump("leads", connection)
            let calls = try SchemaRebuildTests.dump("calls", connection)
            let reports = try ["leads_report", "calls_report"].map { try SchemaRebuildTests.dump($0, connection) }
            let queue = try SchemaRebuildTests.dump("queue_report", connection)

            try FileManager.default.copyItem(
                atPath: migrationsDirectory + "/0010_queue_order_and_caps.sql", toPath: folder + "/0010_queue_order_and_caps.sql")
            #expect(try migrate(path, folder).map(\.version) == [10])
            #expect(try SchemaRebuildTests.dump("leads", connection) == leads)
            // Calls gain their first claim (from the attempts, where there is one) and its due time (unknown before).
            #expect(
                try SchemaRebuildTests.dump("calls", connection)
                    == calls.enumerated().map { index, row in
                        row + (index == 3 ? "|2026-11-29T10:00:07.000Z|NULL" : "|NULL|NULL")
                    })
            #expect(try ["leads_report", "calls_report"].map { try SchemaRebuildTests.dump($0, connection) } == reports)
            #expect(try SchemaRebuildTests.dump("queue_report", connection) == queue.map { $0 + "|50|1" })
            // 2026-11-29T10:00:04.000Z is 1795946404000 ms after 1970.
            #expect(
                try connection.queryFirst("SELECT lead_type_id || ' ' || priority || ' ' || first_attempt || ' ' || sort_key FROM call_queue") {
                    $0.text(0)
                } == "1 50 1 1795946404000")
            #expect(try connection.queryFirst("PRAGMA integrity_check") { $0.text(0) } == "ok")
            #expect(try connection.execute("UPDATE leads SET outcome = 'daily_cap' WHERE lead_id = 2") == 1)
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE leads SET outcome = 'bogus' WHERE lead_id = 1") }
            // A type's new order reaches its queued call.
            try connection.execute("UPDATE lead_types SET priority = 90, fresh_order = 'newest' WHERE lead_type_id = 1")
            #expect(try connection.queryFirst("SELECT priority || ' ' || sort_key FROM call_queue") { $0.text(0) } == "90 -1795946404000")
        }
    }
}

import DiallerStore
import Foundation
import Testing

/// Migrations run with foreign keys checked once, before the commit, so a migration can rebuild a
/// table others refer to; 0002 does that to leads and calls.
@Suite struct SchemaRebuildTests {
    @Test func aMigrationMayRebuildAReferencedTableButNotLeaveADanglingReference() async throws {
        try await withTemporaryDirectory { directory in
            let folder = try makeMigrationsFolder(
                in: directory,
                [
                    "0001_tables.sql": """
                    CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                    CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents(id));
                    INSERT INTO parents VALUES (1, 'a');
                    INSERT INTO children VALUES (1, 1);
                    """,
                    "0002_rebuild.sql": """
                    CREATE TABLE parents_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (name <> ''));
                    INSERT INTO parents_new SELECT * FROM parents;
                    DROP TABLE parents;
                    ALTER TABLE parents_new RENAME TO parents;
                    """,
                ])
            let path = directory + "/db.sqlite"
            try migrate(path, folder)
            #expect(try scalar(path, "SELECT group_concat(version) FROM schema_migrations") == "1,2")
            #expect(try scalar(path, "SELECT count(*) FROM children JOIN parents ON parents.id = children.parent_id") == "1")

            try "DELETE FROM parents; INSERT INTO children VALUES (2, 7);".write(
                toFile: folder + "/0003_dangling.sql", atomically: true, encoding: .utf8)
            let connection = try Connection(path: path)
            try connection.execute(script: "PRAGMA foreign_keys = ON")
            let runner = MigrationRunner(migrations: try MigrationLoader.load(from: folder))
            let error = #expect(throws: StoreError.self) { try runner.apply(to: connection, at: Timestamp(milliseconds: 0)) }
            guard case .migrationFailed(let file, let message)? = error else {
                Issue.record("expected a failed migration, got \(String(describing: error))")
                return
            }
            #expect(file == "0003_dangling.sql")
            #expect(message.contains("FOREIGN KEY constraint failed") && message.contains("children"))
            #expect(try scalar(path, "SELECT count(*) FROM parents") == "1")
            #expect(try scalar(path, "SELECT count(*) FROM children") == "1")
            // The runner's connection enforces foreign keys again after the failed migration.
            #expect(throws: SQLiteError.self) { try connection.execute("INSERT INTO children VALUES (3, 9)") }
        }
    }

    /// A database made by 0001 alone, with a lead of each kind, a call in every state and a queued
    /// call, keeps every row, id and reference through 0002; the tables' columns are unchanged and
    /// their constraints still refuse what they refused.
    @Test func checksWithoutInListsKeepEveryRowAndStillRefuseBadValues() async throws {
        try await withTemporaryDirectory { directory in
            let first = try makeMigrationsFolder(
                in: directory,
                [
                    "0001_schema.sql": try String(contentsOfFile: migrationsDirectory + "/0001_schema.sql", encoding: .utf8)
                ])
            let path = directory + "/db.sqlite"
            try migrate(path, first)
            let connection = try Connection(path: path)
            try connection.execute(script: "PRAGMA foreign_keys = ON")
            try connection.execute(script: Self.populated)
            let tables = ["leads", "calls", "call_queue"]
            let before = try tables.map { try Self.dump($0, connection) }
            let columnsBefore = try ["leads", "calls"].map { try Self.columns($0, connection) }
            let reportsBefore = try ["leads_report", "calls_report", "queue_report"].map { try Self.dump($0, connection) }

            try FileManager.default.copyItem(
                atPath: migrationsDirectory + "/0002_checks_without_in_lists.sql",
                toPath: first + "/0002_checks_without_in_lists.sql")
            #expect(try migrate(path, first).map(\.version) == [2])
            #expect(try tables.map { try Self.dump($0, connection) } == before)
            #expect(try ["leads", "calls"].map { try Self.columns($0, connection) } == columnsBefore)
            #expect(try ["leads_report", "calls_report", "queue_report"].map { try Self.dump($0, connection) } == reportsBefore)
            #expect(try connection.queryFirst("PRAGMA integrity_check") { $0.text(0) } == "ok")
            #expect(
                try connection.queryFirst(
                    "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE tbl_name = 'calls' AND type = 'index' ORDER BY name)"
                ) { $0.text(0) }
                    == "calls_by_contact_type,calls_dialling_by_lease,calls_waiting_by_due,sqlite_autoindex_calls_1")

            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE leads SET outcome = 'bogus' WHERE lead_id = 1") }
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE calls SET state = 'bogus' WHERE call_id = 1") }
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE calls SET finished_at = NULL WHERE state = 'done'") }
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE calls SET lead_id = 999 WHERE call_id = 1") }
            #expect(try connection.execute("UPDATE calls SET state = 'queued', queued_at = 'x' WHERE call_id = 1") == 1)
        }
    }

    /// The same populated database made by 0001 and 0002 keeps every lead, call and queued row
    /// through 0003's rebuild of leads; the views still answer (calls_report with the new hold
    /// columns empty); leads now take the `suppressed` outcome and still refuse unknown ones.
    @Test func complianceKeepsEveryRowAndLetsLeadsBeSuppressed() async throws {
        try await withTemporaryDirectory { directory in
            let (path, folder, connection) = try Self.populatedDatabase(in: directory, before: "0003")
            let tables = ["leads", "calls", "call_queue", "contacts"]
            let before = try tables.map { try Self.dump($0, connection) }
            let leadsReport = try Self.dump("leads_report", connection)
            let callsReport = try Self.dump("calls_report", connection).map { $0 + "|NULL|NULL" }

            try FileManager.default.copyItem(atPath: migrationsDirectory + "/0003_compliance.sql", toPath: folder + "/0003_compliance.sql")
            #expect(try migrate(path, folder).map(\.version) == [3])
            #expect(try ["leads", "call_queue", "contacts"].map { try Self.dump($0, connection) } == [before[0], before[2], before[3]])
            #expect(try Self.dump("calls", connection) == before[1].map { $0 + "|NULL|NULL" })
            #expect(try Self.dump("leads_report", connection) == leadsReport)
            #expect(try Self.dump("calls_report", connection) == callsReport)
            #expect(try connection.queryFirst("PRAGMA integrity_check") { $0.text(0) } == "ok")
            #expect(try connection.queryFirst("SELECT name FROM suppression_lists") { $0.text(0) } == "internal")
            #expect(try connection.execute("UPDATE leads SET outcome = 'suppressed' WHERE lead_id = 2") == 1)
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE leads SET outcome = 'bogus' WHERE lead_id = 1") }
            #expect(throws: SQLiteError.self) { try connection.execute("INSERT INTO suppressions VALUES (1, 1, '07911', NULL, 'x')") }
        }
    }

    /// The same populated database through 0006 keeps every lead, call, queued row and contact
    /// through 0009's rebuild of leads (each lead with an empty `other_phone_line_type`, each contact
    /// with no line type yet); leads_report keeps its columns and gains the empty new ones; leads
    /// now take `line_type_not_accepted`, and `internal` cannot be marked `consent_overrides`.
    @Test func consentAndLineTypeKeepEveryRowAndExtendTheReport() async throws {
        try await withTemporaryDirectory { directory in
            let (path, folder, connection) = try Self.populatedDatabase(in: directory, before: "0009")
            let before = try ["leads", "calls", "call_queue", "contacts"].map { try Self.dump($0, connection) }
            let leadsReport = try Self.dump("leads_report", connection)
            let callsReport = try Self.dump("calls_report", connection)

            try FileManager.default.copyItem(
                atPath: migrationsDirectory + "/0009_consent_and_line_type.sql",
                toPath: folder + "/0009_consent_and_line_type.sql")
            #expect(try migrate(path, folder).map(\.version) == [9])
            #expect(try Self.dump("leads", connection) == before[0].map { $0 + "|NULL" })
            #expect(try ["calls", "call_queue"].map { try Self.dump($0, connection) } == [before[1], before[2]])
            #expect(try Self.dump("contacts", connection) == before[3].map { $0 + "|NULL" })
            #expect(try Self.dump("leads_report", connection) == leadsReport.map { $0 + "|NULL|NULL|NULL|NULL|NULL|NULL" })
            #expect(try Self.dump("calls_report", connection) == callsReport)
            #expect(try connection.queryFirst("PRAGMA integrity_check") { $0.text(0) } == "ok")
            #expect(
                try connection.queryFirst("SELECT group_concat(name) FROM sqlite_schema WHERE tbl_name = 'leads' AND type = 'index'") { $0.text(0) }
                    == "leads_by_contact")
            #expect(try connection.execute("UPDATE leads SET outcome = 'line_type_not_accepted' WHERE lead_id = 2") == 1)
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE leads SET outcome = 'bogus' WHERE lead_id = 1") }
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE suppression_lists SET consent_overrides = 1 WHERE name = 'internal'") }
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE lead_types SET line_types = 'Mobile'") }
            #expect(throws: SQLiteError.self) { try connection.execute("UPDATE lead_types SET requires_consent = 2") }
        }
    }

    static let populated = """
        INSERT INTO partners(partner_id, name, created_at) VALUES (1, 'acme', '2026-11-29T10:00:00.000Z');
        INSERT INTO api_keys(key_id, role, name, partner_id, key_sha256, created_at)
            VALUES (1, 'partner', 'acme', 1, zeroblob(32), '2026-11-29T10:00:00.000Z'),
                   (2, 'dialler', 'floor', NULL, randomblob(32), '2026-11-29T10:00:00.000Z');
        INSERT INTO lead_types(lead_type_id, name) VALUES (1, 'motor-trade');
        INSERT INTO contacts(contact_id, mobile, created_at) VALUES
            (1, '+447911100001', '2026-11-29T10:00:00.000Z'), (2, '+447911100002', '2026-11-29T10:00:00.000Z');
        INSERT INTO leads(lead_id, received_at, partner_id, key_id, type, lead_type_id, subtype, first_name, surname, email,
                          contact_id, other_phone, data, delays, outcome, raw_request) VALUES
            (1, '2026-11-29T10:00:01.000Z', 1, 1, 'motor-trade', 1, 'van', 'A', 'B', 'a@example.com', 1, '+447911100002', '{"k":1}', 60, 'processed', '{}'),
            (2, '2026-11-29T10:00:02.000Z', 1, 1, 'motor-trade', 1, NULL, 'A', 'B', 'a@example.com', 1, NULL, NULL, NULL, 'already_scheduled', '{}'),
            (3, '2026-11-29T10:00:03.000Z', 1, 1, 'boats', NULL, NULL, 'C', 'D', 'c@example.com', 2, NULL, NULL, NULL, 'unknown_type', '{}'),
            (4, '2026-11-29T10:00:04.000Z', 1, 1, 'motor-trade', 1, NULL, 'C', 'D', 'c@example.com', 2, NULL, NULL, NULL, 'processed', '{}'),
            (5, '2026-11-29T10:00:05.000Z', 1, 1, 'motor-trade', 1, NULL, 'C', 'D', 'c@example.com', 2, NULL, NULL, NULL, 'processed', '{}'),
            (6, '2026-11-29T10:00:06.000Z', 1, 1, 'motor-trade', 1, NULL, 'C', 'D', 'c@example.com', 2, NULL, NULL, NULL, 'processed', '{}'),
            (7, '2026-11-29T10:00:07.000Z', 1, 1, 'motor-trade', 1, NULL, 'C', 'D', 'c@example.com', 2, NULL, NULL, NULL, 'existing_contact', '{}');
        INSERT INTO calls(call_id, lead_id, contact_id, lead_type_id, call_group, state, due_at, created_at, queued_at,
                          claimed_at, claimed_by, lease_expires_at, finished_at, outcome, attempts) VALUES
            (1, 1, 1, 1, 'motor-trade', 'waiting', '2026-11-29T10:01:01.000Z', '2026-11-29T10:00:01.000Z', NULL, NULL, NULL, NULL, NULL, NULL, 0),
            (2, 4, 2, 1, 'motor-trade', 'queued', '2026-11-29T10:00:04.000Z', '2026-11-29T10:00:04.000Z', '2026-11-29T10:00:04.500Z', NULL, NULL, NULL, NULL, NULL, 0),
            (3, 5, 2, 1, 'motor-trade', 'dialling', '2026-11-29T10:00:05.000Z', '2026-11-29T10:00:05.000Z', '2026-11-29T10:00:05.500Z', '2026-11-29T10:00:06.000Z', 2, '2026-11-29T10:10:06.000Z', NULL, NULL, 1),
            (4, 6, 2, 1, 'motor-trade', 'done', '2026-11-29T10:00:06.000Z', '2026-11-29T10:00:06.000Z', '2026-11-29T10:00:06.500Z', '2026-11-29T10:00:07.000Z', NULL, NULL, '2026-11-29T10:05:00.000Z', 'sold', 1);
        INSERT INTO call_queue(call_id, call_group, due_at, queued_at) VALUES (2, 'motor-trade', '2026-11-29T10:00:04.000Z', '2026-11-29T10:00:04.500Z');
        """

    /// Every row of `table` (or view), every column as text, in a fixed order.
    /// `populated` in a database migrated through the shipped migrations before `version`, with
    /// foreign keys on; the migration under test is then copied into `folder` and applied.
    static func populatedDatabase(in directory: String, before version: String) throws -> (path: String, folder: String, connection: Connection) {
        let folder = try shippedMigrationsFolder(in: directory, before: version)
        let path = directory + "/db.sqlite"
        try migrate(path, folder)
        let connection = try Connection(path: path)
        try connection.execute(script: "PRAGMA foreign_keys = ON")
        try connection.execute(script: populated)
        return (path, folder, connection)
    }

    static func dump(_ table: String, _ connection: Connection) throws -> [String] {
        try connection.query("SELECT * FROM \(table) ORDER BY 1") { row in
            (0..<row.columnCount).map { row.optionalText($0) ?? "NULL" }.joined(separator: "|")
        }
    }

    /// `PRAGMA table_info`: name, type, not null, default and primary-key position of each column.
    static func columns(_ table: String, _ connection: Connection) throws -> [String] {
        try connection.query("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('\(table)')") { row in
            (0..<5).map { row.optionalText(Int32($0)) ?? "NULL" }.joined(separator: "|")
        }
    }
}

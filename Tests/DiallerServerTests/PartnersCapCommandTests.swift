import DiallerStore
import Foundation
import Testing

/// `dialler-server partners cap`, and caps and queue order seeded by migrations, as an
/// administrator meets them: the real binary, `--db` alone, from a directory without the source tree.
@Suite struct PartnersCapCommandTests {
    /// A migrated database with partner `acme` and type `motor-trade`, in `folder`.
    func prepared(_ folder: String) throws -> String {
        let db = folder + "/dialler.sqlite"
        let seeds = folder + "/seeds"
        try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
        try "INSERT INTO lead_types(name) VALUES ('motor-trade');".write(toFile: seeds + "/1000_types.sql", atomically: true, encoding: .utf8)
        #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).status == 0)
        #expect(try DiallerBinary.run(["keys", "create", "--partner", "acme", "--db", db], in: folder).status == 0)
        return db
    }

    @Test func aCapIsSetChangedAndLiftedFromAnyDirectory() async throws {
        try await withTemporaryDirectory { folder in
            let db = try prepared(folder)
            let set = try DiallerBinary.run(["partners", "cap", "acme", "--type", "motor-trade", "--per-day", "250", "--db", db], in: "/")
            #expect(set.status == 0, "\(set.err)")
            #expect(set.out.hasPrefix("acme may send 250 motor-trade lead(s) a day that become calls; 0 made calls today ("), "\(set.out)")
            #expect(
                try scalar(db, "SELECT partner || ' ' || type || ' ' || cap || ' ' || used_today || ' ' || remaining FROM partner_caps_report")
                    == "acme motor-trade 250 0 250")
            let changed = try DiallerBinary.run(["partners", "cap", "acme", "--type", "motor-trade", "--per-day", "0", "--db", db], in: "/")
            #expect(changed.status == 0 && changed.out.hasPrefix("acme may send 0 motor-trade lead(s) a day"))
            #expect(try scalar(db, "SELECT per_day FROM partner_caps") == "0")
            let lifted = try DiallerBinary.run(["partners", "cap", "acme", "--type", "motor-trade", "--none", "--db", db], in: "/")
            #expect(lifted.status == 0 && lifted.out.hasPrefix("acme has no daily cap for motor-trade; 0 made calls today ("))
            #expect(try scalar(db, "SELECT count(*) FROM partner_caps") == "0")
        }
    }

    @Test(
        arguments: [
            (["--type", "motor-trade", "--per-day", "5"], "nobody", "Error: no partner named \"nobody\" (keys create --partner NAME makes one)"),
            (["--type", "boats", "--per-day", "5"], "acme", "Error: no lead type named \"boats\" (lead types are added by migrations)"),
            (["--type", "motor-trade", "--per-day", "-1"], "acme", "Error: --per-day must be 0 or more, got -1"),
            (["--type", "motor-trade", "--per-day", "ten"], "acme", "Error: The value 'ten' is invalid for '--per-day <per-day>'"),
            (["--type", "motor-trade"], "acme", "Error: give --per-day N or --none"),
            (["--type", "motor-trade", "--per-day", "5", "--none"], "acme", "Error: give --per-day N or --none, not both"),
            (["--per-day", "5"], "acme", "Error: Missing expected argument '--type <type>'"),
            (["--type", " ", "--per-day", "5"], "acme", "Error: --type must not be blank"),
            (["--type", "motor-trade", "--per-day", "5"], " ", "Error: the partner name must not be blank"),
        ] as [([String], String, String)])
    func aMistakeIsOneLineAndChangesNothing(options: [String], name: String, message: String) async throws {
        try await withTemporaryDirectory { folder in
            let db = try prepared(folder)
            _ = try DiallerBinary.run(["partners", "cap", "acme", "--type", "motor-trade", "--per-day", "7", "--db", db], in: "/")
            let result = try DiallerBinary.run(["partners", "cap", name] + options + ["--db", db], in: "/")
            #expect(result.err == message + "\n")
            #expect(result.status != 0 && result.out.isEmpty)
            #expect(try scalar(db, "SELECT group_concat(per_day) FROM partner_caps") == "7")
        }
    }

    @Test func aMissingDatabaseIsRefusedAndNotCreated() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/nope.sqlite"
            let result = try DiallerBinary.run(["partners", "cap", "acme", "--type", "t", "--per-day", "1", "--db", db], in: "/")
            #expect(result.err == "Error: database \(db) does not exist (give --db, or create it with dialler-server migrate --db \(db))\n")
            #expect(!FileManager.default.fileExists(atPath: db))
        }
    }

    /// Priority, fresh order and caps seeded by a migration are checked inside its transaction,
    /// naming the row; the database is left as it was, and the fixed file applies.
    @Test(
        arguments: [
            (
                "UPDATE lead_types SET priority = 100 WHERE name = 'motor-trade';",
                "Error: migration 1001_order.sql: lead type \"motor-trade\": priority must be from 0 to 99, got 100"
            ),
            (
                "UPDATE lead_types SET priority = -1 WHERE name = 'motor-trade';",
                "Error: migration 1001_order.sql: lead type \"motor-trade\": priority must be from 0 to 99, got -1"
            ),
            (
                "UPDATE lead_types SET fresh_order = 'latest' WHERE name = 'motor-trade';",
                "Error: migration 1001_order.sql: lead type \"motor-trade\": fresh_order must be 'oldest' or 'newest', got 'latest'"
            ),
            (
                """
                INSERT INTO partner_caps(partner_id, lead_type_id, per_day)
                SELECT partner_id, lead_type_id, -5 FROM partners, lead_types WHERE partners.name = 'acme' AND lead_types.name = 'motor-trade';
                """,
                "Error: migration 1001_order.sql: daily cap of partner \"acme\" for lead type \"motor-trade\": per_day must be 0 or more, got -5"
            ),
            (
                "UPDATE lead_types SET priority = 'high' WHERE name = 'motor-trade';",
                "Error: migration 1001_order.sql failed: cannot store TEXT value in INTEGER column lead_types.priority"
            ),
        ] as [(String, String)])
    func aBadSeedIsRefusedNamingTheRow(sql seed: String, message: String) async throws {
        try await withTemporaryDirectory { folder in
            let db = try prepared(folder)
            let seeds = folder + "/seeds"
            let before = try scalar(db, "SELECT group_concat(name || priority || fresh_order) || (SELECT count(*) FROM partner_caps) FROM lead_types")
            try seed.write(toFile: seeds + "/1001_order.sql", atomically: true, encoding: .utf8)
            let result = try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder)
            #expect(result.err == message + "\n")
            #expect(result.status != 0 && result.out.isEmpty)
            #expect(
                try scalar(db, "SELECT group_concat(name || priority || fresh_order) || (SELECT count(*) FROM partner_caps) FROM lead_types")
                    == before)
            try """
            UPDATE lead_types SET priority = 80, fresh_order = 'newest' WHERE name = 'motor-trade';
            INSERT INTO partner_caps(partner_id, lead_type_id, per_day)
            SELECT partner_id, lead_type_id, 200 FROM partners, lead_types WHERE partners.name = 'acme' AND lead_types.name = 'motor-trade';
            """.write(toFile: seeds + "/1001_order.sql", atomically: true, encoding: .utf8)
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).out == "applied 1001_order.sql\n")
            #expect(try scalar(db, "SELECT partner || ' ' || type || ' ' || cap FROM partner_caps_report") == "acme motor-trade 200")
        }
    }
}

import DiallerStore
import Foundation
import Testing

/// Recycling rules as administrators write them: a seed migration or `dialler-server recycling`,
/// the real binary with `--db` alone, from a directory without the source tree.
@Suite struct RecyclingRuleTests {
    @Test(arguments: [
        (
            "INSERT INTO recycling_rules VALUES ('motor-trade', 'busy', 600, 3), ('motor-trad', 'no_answer', 7200, 5);",
            #"recycling rule (type "motor-trad", result "no_answer"): no lead type is named "motor-trad""#
        ),
        (
            "INSERT INTO recycling_rules VALUES ('motor-trade', 'noanswer', 7200, 5);",
            #"recycling rule (type "motor-trade", result "noanswer"): the result must be one of connected, abandoned, machine, no_answer, busy, invalid_number, failed"#
        ),
        (
            "INSERT INTO recycling_rules VALUES ('motor-trade', 'busy', -60, 3);",
            #"recycling rule (type "motor-trade", result "busy"): retry_after_seconds must be no less than 0, got -60"#
        ),
        (
            "INSERT INTO recycling_rules VALUES ('motor-trade', 'machine', 14400, -1);",
            #"recycling rule (type "motor-trade", result "machine"): max_retries must be no less than 0, got -1"#
        ),
    ])
    func aBadRuleFailsItsMigrationNamingFileAndRowAndChangesNothing(sql: String, message: String) async throws {
        try await withTemporaryDirectory { folder in
            let seeds = folder + "/seeds"
            let db = folder + "/dialler.sqlite"
            try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            try "INSERT INTO lead_types(name) VALUES ('motor-trade');".write(toFile: seeds + "/1001_types.sql", atomically: true, encoding: .utf8)
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).status == 0)
            let before = try sqliteDump(db)
            try sql.write(toFile: seeds + "/1002_rules.sql", atomically: true, encoding: .utf8)
            let failed = try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder)
            #expect(failed.status != 0)
            #expect(failed.err == "Error: migration 1002_rules.sql: \(message)\n")
            #expect(failed.out.isEmpty)
            #expect(try sqliteDump(db) == before)
            try "INSERT INTO recycling_rules VALUES ('motor-trade', 'no_answer', 7200, 5);".write(
                toFile: seeds + "/1002_rules.sql", atomically: true, encoding: .utf8)
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).out == "applied 1002_rules.sql\n")
            #expect(
                try DiallerBinary.run(["recycling", "list", "--db", db], in: "/").out
                    == "type\tresult\tretry_after_seconds\tmax_retries\nmotor-trade\tno_answer\t7200\t5\n")
        }
    }

    @Test func theCommandSetsReplacesListsAndRemovesRules() async throws {
        try await withTemporaryDirectory { folder in
            let seeds = folder + "/seeds"
            let db = folder + "/dialler.sqlite"
            try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            try "INSERT INTO lead_types(name) VALUES ('motor-trade');".write(toFile: seeds + "/1001_types.sql", atomically: true, encoding: .utf8)
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).status == 0)
            let set = try DiallerBinary.run(
                ["recycling", "set", "motor-trade", "busy", "--retry-after", "600", "--max-retries", "3", "--db", db], in: "/")
            #expect(set.out == "motor-trade busy: retry after 600 s, at most 3 time(s)\n", "\(set.err)")
            _ = try DiallerBinary.run(
                ["recycling", "set", "motor-trade", "invalid_number", "--retry-after", "0", "--max-retries", "0", "--db", db], in: "/")
            _ = try DiallerBinary.run(["recycling", "set", "motor-trade", "busy", "--retry-after", "900", "--max-retries", "2", "--db", db], in: "/")
            #expect(
                try DiallerBinary.run(["recycling", "list", "--db", db], in: "/").out
                    == "type\tresult\tretry_after_seconds\tmax_retries\nmotor-trade\tbusy\t900\t2\nmotor-trade\tinvalid_number\t0\t0\n")
            #expect(
                try DiallerBinary.run(["recycling", "remove", "motor-trade", "busy", "--db", db], in: "/").out == "motor-trade busy: rule removed\n")
            #expect(
                try DiallerBinary.run(["recycling", "list", "--db", db], in: "/").out
                    == "type\tresult\tretry_after_seconds\tmax_retries\nmotor-trade\tinvalid_number\t0\t0\n")
        }
    }

    @Test(arguments: [
        (
            ["recycling", "set", "motor-trad", "busy", "--retry-after", "600", "--max-retries", "3"],
            #"Error: recycling rule (type "motor-trad", result "busy"): no lead type is named "motor-trad""#
        ),
        (
            ["recycling", "set", "motor-trade", "engaged", "--retry-after", "600", "--max-retries", "3"],
            #"Error: recycling rule (type "motor-trade", result "engaged"): the result must be one of connected, abandoned, machine, no_answer, busy, invalid_number, failed"#
        ),
        (
            ["recycling", "set", "motor-trade", "busy", "--retry-after", "-5", "--max-retries", "3"],
            #"Error: --retry-after must be a number of seconds from 0 to 31536000, got "-5""#
        ),
        (
            ["recycling", "set", "motor-trade", "busy", "--retry-after", "2h", "--max-retries", "3"],
            #"Error: --retry-after must be a number of seconds from 0 to 31536000, got "2h""#
        ),
        (
            ["recycling", "set", "motor-trade", "busy", "--retry-after", "60", "--max-retries", "many"],
            #"Error: --max-retries must be a whole number from 0 to 1000000, got "many""#
        ),
        (["recycling", "remove", "motor-trade", "machine"], #"Error: there is no recycling rule for type "motor-trade" and result "machine""#),
    ])
    func aCommandMistakeIsOneLineAndChangesNothing(arguments: [String], message: String) async throws {
        try await withTemporaryDirectory { folder in
            let seeds = folder + "/seeds"
            let db = folder + "/dialler.sqlite"
            try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            try "INSERT INTO lead_types(name) VALUES ('motor-trade');".write(toFile: seeds + "/1001_types.sql", atomically: true, encoding: .utf8)
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).status == 0)
            let before = try sqliteDump(db)
            let failed = try DiallerBinary.run(arguments + ["--db", db], in: "/")
            #expect(failed.status != 0)
            #expect(failed.err == message + "\n")
            #expect(failed.out.isEmpty)
            #expect(try sqliteDump(db) == before)
        }
    }
}

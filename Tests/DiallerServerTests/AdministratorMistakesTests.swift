import DiallerStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Each mistake an administrator can make, tried as a new one would (the real binary, from a
/// directory without the source tree): one line naming the culprit, and the database as it was.
@Suite struct AdministratorMistakesTests {
    func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Runs the binary from `folder`, which holds no `Migrations/`, and expects one error line.
    func expectOneLineError(
        _ arguments: [String], in folder: String, environment: [String: String] = [:],
        _ expected: String, status: Int32? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try DiallerBinary.run(arguments, environment: environment, in: folder)
        #expect(result.err == expected + "\n", sourceLocation: sourceLocation)
        if let status {
            #expect(result.status == status, sourceLocation: sourceLocation)
        } else {
            #expect(result.status != 0, sourceLocation: sourceLocation)
        }
        #expect(result.out.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func adminCommandsWorkFromAnyDirectoryWithTheDatabaseAlone() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/dialler.sqlite"
            let migrated = try DiallerBinary.run(["migrate", "--db", db], in: folder)
            #expect(
                migrated.status == 0
                    && migrated.out.hasSuffix(
                        "applied 0007_sealed_secrets.sql\napplied 0008_call_results.sql\napplied 0009_consent_and_line_type.sql\napplied 0010_queue_order_and_caps.sql\n"
                    ), "\(migrated.err)")
            let created = try DiallerBinary.run(["keys", "create", "--partner", "acme", "--db", db], in: folder)
            #expect(created.status == 0 && created.out.hasPrefix("pk_"), "\(created.err)")
            #expect(try DiallerBinary.run(["keys", "list"], environment: ["DIALLER_DB": db], in: "/").out.contains("partner\tacme"))
        }
    }

    @Test func adminCommandsRefuseAMissingDatabaseAndCreateNothing() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/nope.sqlite"
            try expectOneLineError(
                ["keys", "list", "--db", db], in: folder,
                "Error: database \(db) does not exist (give --db, or create it with dialler-server migrate --db \(db))")
            #expect(!FileManager.default.fileExists(atPath: db))
        }
    }

    @Test func adminCommandsRefuseADatabaseBehindTheBinarysSchema() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/old.sqlite"
            do {
                let connection = try Connection(path: db)
                try MigrationRunner(migrations: Array(ShippedMigrations.all.prefix(2))).apply(to: connection, at: Timestamp(milliseconds: 0))
            }
            let before = try sqliteDump(db)
            try expectOneLineError(
                ["keys", "create", "--partner", "acme", "--db", db], in: folder,
                "Error: database \(db) is behind this binary's schema (0003_compliance.sql is not applied); run dialler-server migrate --db \(db) first"
            )
            #expect(try sqliteDump(db) == before)
            #expect(
                try DiallerBinary.run(["migrate", "--db", db], in: folder).out
                    == "applied 0003_compliance.sql\napplied 0004_erasure.sql\napplied 0005_idempotency.sql\napplied 0006_webhooks.sql\napplied 0007_sealed_secrets.sql\napplied 0008_call_results.sql\napplied 0009_consent_and_line_type.sql\napplied 0010_queue_order_and_caps.sql\n"
            )
        }
    }

    @Test(
        arguments: [
            (["serve"], ["DIALLER_PORT": "abc"], "Error: DIALLER_PORT must be a port number 0-65535, got \"abc\""),
            (["serve"], ["DIALLER_RATE_LIMIT": "abc"], "Error: DIALLER_RATE_LIMIT must be a number of requests per second above 0, got \"abc\""),
            (["serve"], ["DIALLER_RATE_LIMIT": "0"], "Error: DIALLER_RATE_LIMIT must be a number of requests per second above 0, got \"0\""),
            (["serve"], ["DIALLER_MAX_BATCH": "many"], "Error: DIALLER_MAX_BATCH must be a whole number from 1 to 100000, got \"many\""),
            (
                ["serve"], ["DIALLER_PROMOTE_EVERY": "-1"],
                "Error: DIALLER_PROMOTE_EVERY must be a number of seconds above 0 and at most 3600, got \"-1\""
            ),
            (["serve"], ["DIALLER_JSON_LOGS": "yes"], "Error: DIALLER_JSON_LOGS must be 1, 0, true or false, got \"yes\""),
            (
                ["serve"], ["DIALLER_LOG_LEVEL": "loud"],
                "Error: DIALLER_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got \"loud\""
            ),
            (["serve"], ["DIALLER_RETENTION_DAYS": "0"], "Error: DIALLER_RETENTION_DAYS must be a number of days from 1 to 36500, got \"0\""),
            (
                ["serve"], ["DIALLER_ABANDONED_HOLD": "3 days"],
                "Error: DIALLER_ABANDONED_HOLD must be a number of seconds from 0 to 31536000, got \"3 days\""
            ),
            (["serve", "--port", "-1"], [:], "Error: --port must be a port number 0-65535, got \"-1\""),
            (
                ["serve"], ["DIALLER_IDEMPOTENCY_HOURS": "1.5"],
                "Error: DIALLER_IDEMPOTENCY_HOURS must be a number of hours from 1 to 8760, got \"1.5\""
            ),
            (["serve", "--idempotency-hours", "0"], [:], "Error: --idempotency-hours must be a number of hours from 1 to 8760, got \"0\""),
            (
                ["serve"], ["DIALLER_MAX_BATCH_BODY": "4M"],
                "Error: DIALLER_MAX_BATCH_BODY must be a number of bytes from 1024 to 268435456, got \"4M\""
            ),
            (["serve", "--max-batch-body", "100"], [:], "Error: --max-batch-body must be a number of bytes from 1024 to 268435456, got \"100\""),
            (
                ["serve", "--max-attempts-per-number-per-day", "0"], [:],
                "Error: --max-attempts-per-number-per-day must be a whole number from 1 to 1000, got \"0\""
            ),
            (["serve", "--region", "gb"], [:], "Error: --region must be two capital letters, like GB, got \"gb\""),
            (["serve", "--bogus"], [:], "Error: Unknown option '--bogus'"),
            (
                ["restore-everything"], [:],
                "Error: unknown command \"restore-everything\"; the commands are serve, migrate, keys, partners, secrets, suppress, recycling, erase, backup, demo, help (dialler-server --help)"
            ),
        ] as [([String], [String: String], String)])
    func aBadOptionOrVariableIsOneLineAndStartsNothing(arguments: [String], environment: [String: String], message: String) async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/never.sqlite"
            try expectOneLineError(arguments + ["--db", db], in: folder, environment: environment, message, status: 64)
            #expect(!FileManager.default.fileExists(atPath: db))
        }
    }

    @Test func aPortInUseNamesTheAddress() async throws {
        try await withTemporaryDirectory { folder in
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(listener) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
            listen(listener, 1)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
            let port = Int(UInt16(bigEndian: address.sin_port))
            let result = try DiallerBinary.run(["serve", "--db", folder + "/d.sqlite", "--port", "\(port)", "--log-level", "error"], in: folder)
            #expect(result.status == 1)
            #expect(result.err == "Error: cannot listen on 127.0.0.1:\(port): address already in use\n")
        }
    }

    @Test func aMigrationThatBreaksALeadTypeIsRolledBackNamedAndAppliesOnceFixed() async throws {
        try await withTemporaryDirectory { folder in
            let seeds = folder + "/seeds"
            let db = folder + "/dialler.sqlite"
            try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).status == 0)
            let before = try sqliteDump(db)
            for (sql, zone) in [
                (
                    "INSERT INTO lead_types(name, time_zone, window_start, window_end) VALUES ('tz', 'Europe/Londn', '09:00', '17:00');",
                    "Europe/Londn"
                ),
                (
                    "INSERT INTO lead_types(name) VALUES ('fine'); INSERT INTO lead_types(name, time_zone) VALUES ('tz', 'Mars/Olympus');",
                    "Mars/Olympus"
                ),
            ] {
                try write(sql, to: seeds + "/1001_types.sql")
                try expectOneLineError(
                    ["migrate", "--db", db, "--migrations", seeds], in: folder,
                    "Error: migration 1001_types.sql: lead type \"tz\": unknown time zone \"\(zone)\"")
                #expect(try sqliteDump(db) == before)
            }
            try write("INSERT INTO lead_types(name) VALUES ('pets');", to: seeds + "/1001_types.sql")
            try write("UPDATE lead_types SET call_group = ' ' WHERE name = 'pets';", to: seeds + "/1002_groups.sql")
            try expectOneLineError(
                ["migrate", "--db", db, "--migrations", seeds], in: folder,
                "Error: migration 1002_groups.sql: lead type \"pets\": call_group must not be blank")
            // Each file is its own transaction: 1001 was applied, 1002 was not; fixed, it applies.
            try write("UPDATE lead_types SET call_group = 'animals' WHERE name = 'pets';", to: seeds + "/1002_groups.sql")
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).out == "applied 1002_groups.sql\n")
        }
    }

    @Test func misnamedAndDuplicateMigrationFilesAreNamedAndOtherFilesIgnored() async throws {
        try await withTemporaryDirectory { folder in
            let seeds = folder + "/seeds"
            let db = folder + "/dialler.sqlite"
            try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            try write("how to add a type", to: seeds + "/README.md")
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder).status == 0)
            let before = try sqliteDump(db)
            for name in ["our-types.sql", "1001-pets.sql", "_pets.sql"] {
                try write("INSERT INTO lead_types(name) VALUES ('pets');", to: seeds + "/" + name)
                try expectOneLineError(
                    ["migrate", "--db", db, "--migrations", seeds], in: folder,
                    "Error: migration file \(name) is not named NNNN_name.sql (for example 1001_our_types.sql), so it would never run; rename it")
                try FileManager.default.removeItem(atPath: seeds + "/" + name)
            }
            try write("SELECT 1;", to: seeds + "/1001_a.sql")
            try write("SELECT 2;", to: seeds + "/1001_b.sql")
            try expectOneLineError(
                ["migrate", "--db", db, "--migrations", seeds], in: folder,
                "Error: migration version 1001 is used by more than one file: 1001_a.sql, 1001_b.sql")
            try FileManager.default.removeItem(atPath: seeds + "/1001_b.sql")
            try write("SELECT 3;", to: seeds + "/0099_mine.sql")
            try expectOneLineError(
                ["migrate", "--db", db, "--migrations", seeds], in: folder,
                "Error: migration 0099_mine.sql: numbers below 1000 belong to the shipped schema; number your own files from 1000")
            try write("SELECT 3;", to: seeds + "/0001_schema.sql")
            try FileManager.default.removeItem(atPath: seeds + "/0099_mine.sql")
            try expectOneLineError(
                ["migrate", "--db", db, "--migrations", seeds], in: folder,
                "Error: migration 0001_schema.sql has the number of the shipped schema migration 0001_schema.sql but other contents; number your own files from 1000"
            )
            #expect(try sqliteDump(db) == before)
            try expectOneLineError(
                ["migrate", "--db", db, "--migrations", folder + "/missing"], in: folder,
                "Error: cannot read migrations folder \(folder)/missing: no such folder, or it cannot be read")
        }
    }

    @Test func aFailedFirstMigrationLeavesNoDatabaseFile() async throws {
        try await withTemporaryDirectory { folder in
            let seeds = folder + "/seeds"
            let db = folder + "/fresh.sqlite"
            try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            try write("INSERT INTO no_such_table VALUES (1);", to: seeds + "/1000_broken.sql")
            try expectOneLineError(
                ["migrate", "--db", db, "--migrations", seeds], in: folder,
                "Error: migration 1000_broken.sql failed: no such table: no_such_table")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["seeds"])
        }
    }

    @Test func aSeedOnlyFolderMigratesAFreshDatabase() async throws {
        try await withTemporaryDirectory { folder in
            let seeds = folder + "/seeds"
            let db = folder + "/dialler.sqlite"
            try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            try write("INSERT INTO lead_types(name) VALUES ('pets');", to: seeds + "/1001_pets.sql")
            let result = try DiallerBinary.run(["migrate", "--db", db, "--migrations", seeds], in: folder)
            #expect(
                result.out.hasSuffix(
                    "applied 0005_idempotency.sql\napplied 0006_webhooks.sql\napplied 0007_sealed_secrets.sql\napplied 0008_call_results.sql\napplied 0009_consent_and_line_type.sql\napplied 0010_queue_order_and_caps.sql\napplied 1001_pets.sql\n"
                ), "\(result.err)")
        }
    }
}

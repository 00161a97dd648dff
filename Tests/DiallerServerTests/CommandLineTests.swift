import DiallerStore
import Foundation
import Testing

/// The built `dialler-server` binary, run as an administrator would.
enum DiallerBinary {
    static let url: URL? = {
        let candidates = [
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ]
        return candidates.map { $0.appendingPathComponent("dialler-server") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs the binary to completion: exit status, standard output, standard error.
    static func run(
        _ arguments: [String], environment: [String: String] = [:],
        in directory: String? = nil
    ) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        guard let url else { throw CommandLineTestError.binaryNotBuilt }
        process.executableURL = url
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }
}

enum CommandLineTestError: Error {
    case binaryNotBuilt
}

@Suite struct CommandLineTests {
    /// An administrator's seed folder: one type and nothing else (the schema is in the binary).
    func seededMigrations(in folder: String) throws -> String {
        let migrations = folder + "/seeds"
        try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
        try "INSERT INTO lead_types(name) VALUES ('motor-trade');\n".write(
            toFile: migrations + "/1000_our_types.sql", atomically: true, encoding: .utf8)
        return migrations
    }

    /// A database migrated with the seed folder, as `dialler-server migrate` leaves it.
    func migratedDatabase(in folder: String) throws -> (db: String, migrations: String) {
        let migrations = try seededMigrations(in: folder)
        let db = folder + "/dialler.sqlite"
        let migrated = try DiallerBinary.run(["migrate", "--db", db, "--migrations", migrations])
        #expect(migrated.status == 0, "\(migrated.err)")
        return (db, migrations)
    }

    @Test func migrateThenCreateKeysAgainstASeedMigration() async throws {
        try await withTemporaryDirectory { folder in
            let migrations = try seededMigrations(in: folder)
            let db = folder + "/dialler.sqlite"
            let migrated = try DiallerBinary.run(["migrate", "--db", db, "--migrations", migrations])
            #expect(migrated.status == 0)
            #expect(
                migrated.out
                    == "applied 0001_schema.sql\napplied 0002_checks_without_in_lists.sql\napplied 0003_compliance.sql\napplied 0004_erasure.sql\napplied 0005_idempotency.sql\napplied 0006_webhooks.sql\napplied 0007_sealed_secrets.sql\napplied 0008_call_results.sql\napplied 0009_consent_and_line_type.sql\napplied 0010_queue_order_and_caps.sql\napplied 1000_our_types.sql\n"
            )
            #expect(try DiallerBinary.run(["migrate", "--db", db, "--migrations", migrations]).out == "database \(db) is up to date\n")

            let partner = try DiallerBinary.run([
                "keys", "create", "--partner", "acme", "--types", "motor-trade", "--db", db, "--migrations", migrations,
            ])
            #expect(partner.status == 0)
            let key = try #require(partner.out.split(separator: "\n").first.map(String.init))
            #expect(key.hasPrefix("pk_"))
            #expect(partner.out == key + "\n")
            // The environment variables are read as well as the options.
            let dialler = try DiallerBinary.run(
                ["keys", "create", "--dialler", "floor-1"], environment: ["DIALLER_DB": db, "DIALLER_MIGRATIONS": migrations])
            #expect(dialler.status == 0 && dialler.out.hasPrefix("dk_"))

            let listed = try DiallerBinary.run(["keys", "list", "--db", db, "--migrations", migrations])
            #expect(listed.out.contains("1\tpartner\tacme\tmotor-trade\t"))
            #expect(!listed.out.contains(key))
            let revoked = try DiallerBinary.run(["keys", "revoke", "1", "--db", db, "--migrations", migrations])
            #expect(revoked.out == "revoked key 1\n")
        }
    }

    @Test func keysAreUsableAndRevocable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialler-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (db, migrations) = try migratedDatabase(in: folder)
        let created = try DiallerBinary.run(["keys", "create", "--partner", "acme", "--db", db])
        let key = String(created.out.split(separator: "\n")[0])
        let store = try Store(StoreConfiguration(path: db, migrationsDirectory: migrations))
        defer { store.close() }
        #expect(try store.authenticate(key: key)?.name == "acme")
        #expect(try DiallerBinary.run(["keys", "revoke", "1", "--db", db, "--migrations", migrations]).status == 0)
        #expect(try store.authenticate(key: key) == nil)
    }

    @Test(arguments: [
        (["keys", "create", "--db", "DB"], "Error: give exactly one of --partner NAME or --dialler NAME"),
        (["keys", "create", "--partner", "acme", "--types", "nope", "--db", "DB"], "Error: unknown lead type(s): nope"),
        (["keys", "revoke", "99", "--db", "DB"], "Error: no unrevoked key with id 99"),
        (["serve", "--port", "70000", "--db", "DB"], "Error: --port must be a port number 0-65535, got \"70000\""),
        (
            ["serve", "--trusted-proxy", "nginx", "--db", "DB"],
            #"Error: --trusted-proxy must be an IPv4 or IPv6 address, or a network such as 10.0.0.0/8 or fd00::/8, got "nginx""#
        ),
        (
            ["serve", "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1, 10.0.0.1/8", "--db", "DB"],
            #"Error: --trusted-proxy must be an IPv4 or IPv6 address, or a network such as 10.0.0.0/8 or fd00::/8, got "10.0.0.1/8""#
        ),
        (
            ["migrate", "--db", "/nonexistent/folder/x.sqlite"],
            "Error: cannot use database /nonexistent/folder/x.sqlite: unable to open database file"
        ),
    ])
    func badInputIsOneLineAndNonZero(arguments: [String], message: String) async throws {
        try await withTemporaryDirectory { folder in
            let (db, migrations) = try migratedDatabase(in: folder)
            let result = try DiallerBinary.run(arguments.map { $0 == "DB" ? db : $0 } + ["--migrations", migrations])
            #expect(result.status != 0)
            #expect(result.err.split(separator: "\n").first.map(String.init) == message)
            #expect(!result.err.contains("Stack") && !result.err.contains("Fatal error"))
        }
    }

    @Test func aBadTrustedProxyVariableIsOneLineNamingIt() async throws {
        try await withTemporaryDirectory { folder in
            let result = try DiallerBinary.run(["serve", "--db", folder + "/d.sqlite"], environment: ["DIALLER_TRUSTED_PROXY": "127.0.0.1,,::1"])
            #expect(result.status != 0)
            #expect(
                result.err.split(separator: "\n").first
                    == #"Error: DIALLER_TRUSTED_PROXY must be an IPv4 or IPv6 address, or a network such as 10.0.0.0/8 or fd00::/8, got """#)
        }
    }

    @Test func aBrokenMigrationStopsStartWithOneLine() async throws {
        try await withTemporaryDirectory { folder in
            let migrations = try seededMigrations(in: folder)
            try "CREATE TABLE oops(;".write(toFile: migrations + "/1001_broken.sql", atomically: true, encoding: .utf8)
            let result = try DiallerBinary.run(["migrate", "--db", folder + "/d.sqlite", "--migrations", migrations])
            #expect(result.status != 0)
            #expect(result.err == "Error: migration 1001_broken.sql failed: near \";\": syntax error\n")
        }
    }
}

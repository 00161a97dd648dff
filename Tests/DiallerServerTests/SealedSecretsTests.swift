import DiallerStore
import Foundation
import HummingbirdTesting
import NIOCore
import Testing

@testable import DiallerServer

#if canImport(Glibc)
import Glibc
#endif

/// Partners' webhook secrets sealed with a key kept outside the database, through the real binary:
/// a database from before sealing is sealed at the first start with a key, nothing stays in clear
/// in its file, its WAL or a backup, and signing still reproduces the Standard Webhooks vector
/// after a restart and after `secrets rotate`; every way of getting the key wrong is one line.
@Suite(.serialized) struct SealedSecretsTests {
    typealias Vector = WebhookSignatureTests
    /// The secret before the last rotation, still signing (until 2099).
    static let previous = "whsec_" + Data((0..<32).map { UInt8(200 - $0) }).base64EncodedString()
    static let fastRetries = ["--webhook-poll-every", "0.05", "--webhook-backoff-base", "0.2"]

    /// Which of the secrets' give-aways (the `whsec_` text, its base64 alone, the key bytes) occur in `files`.
    static func traces(of secrets: [String], in files: [String]) throws -> [String] {
        var found: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for secret in secrets {
                let needles = [Data(secret.utf8), Data(secret.dropFirst(6).utf8), Data(try #require(WebhookSecret.keyBytes(of: secret)))]
                if needles.contains(where: { data.range(of: $0) != nil }) { found.append("\(secret.prefix(12))… in \(file)") }
            }
        }
        return found
    }

    /// A database as 0006 left it, the secrets in clear: partner acme's endpoint at `url` signs with
    /// the vector's secret and, as a rotated-out one, with `previous`; partner bravo's with a third.
    static func databaseBeforeSealing(_ db: String, url: String, bravo: String) throws {
        let connection = try Connection(path: db)
        try connection.execute(script: "PRAGMA journal_mode = WAL")
        try MigrationRunner(migrations: ShippedMigrations.all.filter { $0.version <= 6 }).apply(to: connection, at: SystemClock().now())
        try connection.execute(
            script: """
                INSERT INTO partners(partner_id, name, created_at) VALUES (1, 'acme', '2026-11-01T00:00:00.000Z'), (2, 'bravo', '2026-11-01T00:00:00.000Z');
                INSERT INTO webhook_endpoints(partner_id, url, events, secret, previous_secret, previous_expires_at, created_at, updated_at)
                VALUES (1, '\(url)', 'call.finished,call.cancelled,lead.suppressed', '\(Vector.secret)', '\(previous)',
                        '2099-01-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'),
                       (2, 'https://bravo.example/hooks', 'call.finished', '\(bravo)', NULL, NULL,
                        '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
                """)
    }

    /// Runs a command that should refuse and exit (a `serve` that does not would run on: it is
    /// killed after 60 s, and the test fails); answers its status and standard error.
    static func refusal(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, err: String) {
        let process = Process()
        process.executableURL = DiallerBinary.url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("refusal-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return (-1, "still running after 60 s")
        }
        return (process.terminationStatus, String(decoding: try Data(contentsOf: errors), as: UTF8.self))
    }

    /// A lead and its cancel through the server's API: one `call.cancelled` event for acme.
    static func cancelledLead(_ server: ServerProcess, key: String, mobile: String) async throws {
        let client = TestClient(host: "127.0.0.1", port: server.port)
        client.connect()
        for (path, body) in [("/lead/add", leadBody(mobile: mobile)), ("/lead/cancel", #"{"type":"motor-trade","mobile":"\#(mobile)"}"#)] {
            let response = try await client.execute(
                .init(
                    "\(path)?key=\(key)", method: .post,
                    headers: [.contentType: "application/json"], body: ByteBuffer(string: body)))
            #expect(response.status == .ok)
        }
        try? await client.shutdown()
    }

    /// The vector's signature made with acme's secret as the database holds it, opened with `key`.
    static func vectorSignature(_ db: String, key: SecretsKey) async throws -> String? {
        var configuration = StoreConfiguration(path: db, migrationsDirectory: nil)
        configuration.opening = .requireCurrentSchema
        let store = try Store(configuration)
        defer { store.close() }
        let acme = try #require(try await store.webhookEndpoints().first { $0.partner == "acme" })
        return WebhookSignature.signature(
            id: Vector.id, timestamp: Vector.timestamp, body: Vector.body,
            secret: try key.reveal(acme.secret, partner: "acme"))
    }

    @Test func aDatabaseFromBeforeSealingIsSealedAtFirstStartKeepsNothingInClearAndStillSigns() async throws {
        let receiver = try await WebhookReceiver.start()
        try await withTemporaryDirectory { folder in
            let db = folder + "/dialler.sqlite"
            let seeds = folder + "/seeds"
            let keyFile = folder + "/secrets.key"
            try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
            try "INSERT INTO lead_types(name) VALUES ('motor-trade');\n".write(toFile: seeds + "/1000_types.sql", atomically: true, encoding: .utf8)
            let bravo = WebhookSecret.generate()
            let secrets = [Vector.secret, Self.previous, bravo]
            try Self.databaseBeforeSealing(db, url: receiver.url, bravo: bravo)
            #expect(try Self.traces(of: secrets, in: [db, db + "-wal"]).count == 3, "the byte search finds secrets in clear")

            // Without a key the server does not start, and says which setting it needs.
            let refused = try Self.refusal(["serve", "--db", db, "--migrations", seeds, "--port", "0", "--log-level", "error"])
            #expect(refused.status != 0)
            #expect(
                refused.err == "Error: 2 webhook endpoint(s) exist, and signing for them needs the secrets key that seals their secrets: "
                    + "give --secrets-key-file PATH or set DIALLER_SECRETS_KEY_FILE (dialler-server secrets init --to PATH makes one)\n")

            let made = try DiallerBinary.run(["secrets", "init", "--to", keyFile, "--db", folder + "/not-yet.sqlite"])
            #expect(made.status == 0 && made.out.hasSuffix("mode 0600); no database at \(folder)/not-yet.sqlite yet\n"), "\(made.err)")
            let key = try SecretsKeyFile.read(keyFile)
            let environment = ["DIALLER_SECRETS_KEY_FILE": keyFile]

            // The first start with the key seals the three secrets, in clear nowhere afterwards.
            let first = try ServerProcess(database: db, migrations: seeds, extraArguments: Self.fastRetries, environment: environment)
            // While it serves, not only after its shutdown's checkpoint: the WAL was truncated at once.
            #expect(try Self.traces(of: secrets, in: [db, db + "-wal"]).isEmpty)
            first.signal(SIGTERM)
            #expect(first.waitForExit(seconds: 20) == 0)
            #expect(first.output.contains("sealed webhook secrets kept in clear"), "\(first.output)")
            #expect(first.output.contains("secrets=3") && first.output.contains("wal_truncated=true"), "\(first.output)")
            let connection = try Connection(path: db, readOnly: true)
            #expect(
                try connection.query(
                    """
                    SELECT count(*) FROM webhook_endpoints WHERE secret IS NULL AND previous_secret IS NULL AND secret_key_id = ?
                        AND (previous_key_id = ? OR (partner_id = 2 AND previous_key_id IS NULL))
                    """, .text(key.id), .text(key.id)
                ) { $0.int(0) } == [2])
            #expect(try Self.traces(of: secrets, in: [db, db + "-wal"]).isEmpty)
            let backup = try DiallerBinary.run(["backup", "--db", db, "--to", folder + "/copy.sqlite"])
            #expect(backup.status == 0, "\(backup.err)")
            #expect(try Self.traces(of: secrets, in: [folder + "/copy.sqlite"]).isEmpty)

            // After a restart the sealed secrets sign: the vector, and a real delivery with both secrets.
            #expect(try await Self.vectorSignature(db, key: key) == Vector.expected)
            let partnerKey = try DiallerBinary.run(["keys", "create", "--partner", "acme", "--db", db]).out.prefix { $0 != "\n" }
            let second = try ServerProcess(database: db, migrations: seeds, extraArguments: Self.fastRetries, environment: environment)
            try await Self.cancelledLead(second, key: String(partnerKey), mobile: "07840258831")
            #expect(await eventually { receiver.received.count == 1 })
            second.signal(SIGTERM)
            #expect(second.waitForExit(seconds: 20) == 0)
            let delivered = try #require(receiver.received.first)
            #expect(
                delivered.signature.split(separator: " ").map(String.init) == [
                    try independentSignature(secret: Vector.secret, id: delivered.id, timestamp: delivered.timestamp, body: delivered.body),
                    try independentSignature(secret: Self.previous, id: delivered.id, timestamp: delivered.timestamp, body: delivered.body),
                ])

            // secrets rotate: every secret re-sealed with a new key; the old key no longer starts the server.
            let newKeyFile = folder + "/secrets-2.key"
            let rotated = try DiallerBinary.run(["secrets", "rotate", "--to", newKeyFile, "--db", db], environment: environment)
            #expect(rotated.status == 0, "\(rotated.err)")
            let newKey = try SecretsKeyFile.read(newKeyFile)
            #expect(newKey.id != key.id)
            #expect(
                rotated.out
                    == "re-sealed 3 webhook secret(s) of 2 endpoint(s) in \(db) with the new key in \(newKeyFile) (key \(newKey.id), mode 0600)\n")
            #expect(try connection.query("SELECT DISTINCT secret_key_id FROM webhook_endpoints") { $0.text(0) } == [newKey.id])
            #expect(try await Self.vectorSignature(db, key: newKey) == Vector.expected)
            #expect(try Self.traces(of: secrets, in: [db, db + "-wal"]).isEmpty)
            let stale = try Self.refusal(
                ["serve", "--db", db, "--migrations", seeds, "--port", "0", "--log-level", "error"], environment: environment)
            #expect(
                stale.status != 0
                    && stale.err == "Error: the secrets key in \(keyFile) (key \(key.id)) is not the one the webhook "
                        + "secrets are sealed with (key \(newKey.id)): give that key's file\n"
            )

            let third = try ServerProcess(
                database: db, migrations: seeds, extraArguments: Self.fastRetries,
                environment: ["DIALLER_SECRETS_KEY_FILE": newKeyFile])
            try await Self.cancelledLead(third, key: String(partnerKey), mobile: "07840258832")
            #expect(await eventually { receiver.received.count == 2 })
            third.signal(SIGTERM)
            #expect(third.waitForExit(seconds: 20) == 0)
            let after = try #require(receiver.received.last)
            #expect(
                after.signature.split(separator: " ").first.map(String.init)
                    == (try independentSignature(secret: Vector.secret, id: after.id, timestamp: after.timestamp, body: after.body)))
        }
        await receiver.stop()
    }

    @Test func secretsInitSealsAnExistingDatabaseAndWritesAKeyOnlyItsOwnerReads() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/dialler.sqlite"
            let keyFile = folder + "/secrets.key"
            let bravo = WebhookSecret.generate()
            try Self.databaseBeforeSealing(db, url: "https://acme.example/hooks", bravo: bravo)
            // An administrative command needs the current schema: refused, and no key written.
            let behind = try DiallerBinary.run(["secrets", "init", "--to", keyFile, "--db", db])
            #expect(
                behind.status != 0 && behind.err.hasPrefix("Error: database \(db) is behind this binary's schema")
                    && !behind.err.dropLast().contains("\n"))
            #expect(!FileManager.default.fileExists(atPath: keyFile))
            #expect(try DiallerBinary.run(["migrate", "--db", db]).status == 0)

            let made = try DiallerBinary.run(["secrets", "init", "--to", keyFile, "--db", db])
            #expect(made.status == 0, "\(made.err)")
            let key = try SecretsKeyFile.read(keyFile)
            #expect(
                made.out == "wrote the secrets key to \(keyFile) (key \(key.id), mode 0600); sealed 3 webhook secret(s) of 2 endpoint(s) in \(db)\n")
            let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
            #expect((attributes[.posixPermissions] as? Int) == 0o600 && (attributes[.size] as? Int) == 32)
            #expect(try Self.traces(of: [Vector.secret, Self.previous, bravo], in: [db, db + "-wal"]).isEmpty)
            #expect(try await Self.vectorSignature(db, key: key) == Vector.expected)

            // A key is never overwritten, and a database already sealed takes no first key.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: keyFile))
            let again = try DiallerBinary.run(["secrets", "init", "--to", keyFile, "--db", db])
            #expect(
                again.status != 0 && again.out.isEmpty
                    && again.err
                        == "Error: the webhook secrets are already sealed with key \(key.id); secrets init makes a first key, secrets rotate --to PATH changes it\n"
            )
            let elsewhere = try DiallerBinary.run(["secrets", "init", "--to", keyFile, "--db", folder + "/fresh.sqlite"])
            #expect(elsewhere.err == "Error: \(keyFile) exists; a secrets key file is never overwritten (choose another path)\n")
            #expect(try Data(contentsOf: URL(fileURLWithPath: keyFile)) == bytes)
            #expect(!FileManager.default.fileExists(atPath: folder + "/fresh.sqlite"))
        }
    }

    @Test func everyWrongKeyIsOneLineAndChangesNothing() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/dialler.sqlite"
            let right = folder + "/right.key"
            let wrong = folder + "/wrong.key"
            let short = folder + "/short.key"
            #expect(try DiallerBinary.run(["migrate", "--db", db]).status == 0)
            #expect(try DiallerBinary.run(["keys", "create", "--partner", "acme", "--db", db]).status == 0)
            #expect(try DiallerBinary.run(["secrets", "init", "--to", right, "--db", db]).status == 0)
            #expect(try DiallerBinary.run(["secrets", "init", "--to", wrong, "--db", folder + "/none.sqlite"]).status == 0)
            try Data(repeating: 7, count: 31).write(to: URL(fileURLWithPath: short))
            let set = try DiallerBinary.run([
                "partners", "webhook", "acme", "--url", "https://acme.example/hooks", "--db", db,
                "--secrets-key-file", right,
            ])
            #expect(set.status == 0, "\(set.err)")
            let rightID = try SecretsKeyFile.read(right).id
            let wrongID = try SecretsKeyFile.read(wrong).id
            let state = {
                try Connection(path: db, readOnly: true).queryFirst(
                    "SELECT hex(sealed_secret) || ' ' || secret_key_id || ' ' || updated_at FROM webhook_endpoints"
                ) { $0.text(0) }
            }
            let before = try state()

            let wrongLine =
                "Error: the secrets key in \(wrong) (key \(wrongID)) is not the one the webhook secrets are sealed with (key \(rightID)): give that key's file\n"
            let cases: [([String], [String: String], String)] = [
                (["serve", "--db", db, "--port", "0", "--log-level", "error"], ["DIALLER_SECRETS_KEY_FILE": wrong], wrongLine),
                (
                    ["serve", "--db", db, "--port", "0", "--log-level", "error", "--secrets-key-file", short], [:],
                    "Error: the secrets key file \(short) holds 31 bytes, not 32 (dialler-server secrets init --to PATH writes one)\n"
                ),
                (
                    ["serve", "--db", db, "--port", "0", "--log-level", "error", "--secrets-key-file", folder + "/missing.key"], [:],
                    "Error: cannot read the secrets key file \(folder)/missing.key: no such file or directory\n"
                ),
                (
                    ["serve", "--db", db, "--port", "0", "--log-level", "error"], ["DIALLER_SECRETS_KEY_FILE": ""],
                    "Error: 1 webhook endpoint(s) exist, and signing for them needs the secrets key that seals their secrets: "
                        + "give --secrets-key-file PATH or set DIALLER_SECRETS_KEY_FILE (dialler-server secrets init --to PATH makes one)\n"
                ),
                (["partners", "webhook", "acme", "--rotate-secret", "--db", db], ["DIALLER_SECRETS_KEY_FILE": wrong], wrongLine),
                (
                    ["partners", "webhook", "acme", "--rotate-secret", "--db", db], [:],
                    "Error: a new webhook secret for acme is sealed with the secrets key: give --secrets-key-file PATH or set "
                        + "DIALLER_SECRETS_KEY_FILE (dialler-server secrets init --to PATH makes one)\n"
                ),
                (["secrets", "rotate", "--to", folder + "/next.key", "--db", db], ["DIALLER_SECRETS_KEY_FILE": wrong], wrongLine),
                (
                    ["secrets", "rotate", "--to", folder + "/next.key", "--db", db], [:],
                    "Error: secrets rotate needs the current secrets key: give --secrets-key-file PATH or set DIALLER_SECRETS_KEY_FILE\n"
                ),
                (["secrets", "rotate", "--db", db, "--secrets-key-file", right], [:], "Error: give --to PATH, the file the new key is written to\n"),
                (
                    ["secrets", "rotate", "--to", wrong, "--db", db, "--secrets-key-file", right], [:],
                    "Error: \(wrong) exists; a secrets key file is never overwritten (choose another path)\n"
                ),
            ]
            for (arguments, environment, line) in cases {
                let result = try Self.refusal(arguments, environment: environment)
                #expect(result.status > 0 && result.err == line, "\(arguments) \(environment)")
                #expect(try state() == before, "\(arguments)")
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/next.key"))
        }
    }
}

import DiallerStore
import Foundation
import Testing

/// `dialler-server partners webhook`, as an administrator runs it: the real binary, `--db` alone,
/// from a directory without the source tree.
@Suite struct PartnersWebhookCommandTests {
    /// A migrated database with partner `acme`, in `folder`.
    func prepared(_ folder: String) throws -> String {
        let db = folder + "/dialler.sqlite"
        #expect(try DiallerBinary.run(["migrate", "--db", db], in: folder).status == 0)
        #expect(try DiallerBinary.run(["keys", "create", "--partner", "acme", "--db", db], in: folder).status == 0)
        return db
    }

    /// A secrets key written by `secrets init` into `folder`; answers the variable that names it.
    func secretsKey(_ folder: String) throws -> [String: String] {
        let path = folder + "/secrets.key"
        let made = try DiallerBinary.run(["secrets", "init", "--to", path, "--db", folder + "/none.sqlite"], in: "/")
        #expect(made.status == 0, "\(made.err)")
        return ["DIALLER_SECRETS_KEY_FILE": path]
    }

    @Test func settingAWebhookPrintsItsSecretOnceAloneOnTheFirstLine() async throws {
        try await withTemporaryDirectory { folder in
            let db = try prepared(folder)
            let key = try secretsKey(folder)
            let set = try DiallerBinary.run(
                [
                    "partners", "webhook", "acme", "--url", "https://partner.example/hooks",
                    "--events", "call.cancelled,call.finished", "--db", db,
                ], environment: key, in: "/")
            #expect(set.status == 0, "\(set.err)")
            let lines = set.out.split(separator: "\n").map(String.init)
            #expect(lines.count == 1)
            let secret = try #require(lines.first)
            #expect(secret.hasPrefix("whsec_") && WebhookSecret.keyBytes(of: secret)?.count == 32)
            #expect(set.err.contains("webhook for acme: https://partner.example/hooks (call.finished,call.cancelled), enabled"))
            // Stored sealed, with the key's id: the clear columns are empty.
            #expect(
                try scalar(db, "SELECT url || ' ' || events || ' ' || (secret IS NULL) || ' ' || length(sealed_secret) FROM webhook_endpoints")
                    == "https://partner.example/hooks call.finished,call.cancelled 1 \(12 + secret.utf8.count + 16)")
            let keyID = try #require(try scalar(db, "SELECT secret_key_id FROM webhook_endpoints"))
            #expect(keyID.count == 12)

            let rotated = try DiallerBinary.run(["partners", "webhook", "acme", "--rotate-secret", "--db", db], environment: key, in: "/")
            let new = rotated.out.trimmingCharacters(in: .newlines)
            #expect(rotated.status == 0 && new.hasPrefix("whsec_") && new != secret)
            let sealed = try scalar(db, "SELECT hex(sealed_secret) FROM webhook_endpoints")
            #expect(
                try scalar(
                    db,
                    "SELECT (secret IS NULL) || (previous_secret IS NULL) || ' ' || secret_key_id || ' ' || previous_key_id "
                        + "FROM webhook_endpoints") == "11 \(keyID) \(keyID)")

            let changed = try DiallerBinary.run(["partners", "webhook", "acme", "--url", "https://partner.example/v2", "--db", db], in: "/")
            #expect(changed.out == "webhook for acme: https://partner.example/v2 (call.finished,call.cancelled), enabled\n")
            #expect(try scalar(db, "SELECT hex(sealed_secret) FROM webhook_endpoints") == sealed)

            let disabled = try DiallerBinary.run(["partners", "webhook", "acme", "--disable", "--db", db], in: "/")
            #expect(disabled.out == "webhook for acme: https://partner.example/v2 (call.finished,call.cancelled), disabled\n")
            #expect(try scalar(db, "SELECT disabled_at IS NOT NULL FROM webhook_endpoints") == "1")

            let redeliver = try DiallerBinary.run(["partners", "webhook", "acme", "--redeliver-failed", "--db", db], in: "/")
            #expect(redeliver.status == 0 && redeliver.out == "queued 0 failed event(s) for acme again\n")
        }
    }

    @Test func plainHTTPToAnotherHostIsKeptWithAWarning() async throws {
        try await withTemporaryDirectory { folder in
            let db = try prepared(folder)
            let set = try DiallerBinary.run(
                ["partners", "webhook", "acme", "--url", "http://partner.example/hooks", "--db", db],
                environment: try secretsKey(folder), in: "/")
            #expect(set.status == 0 && set.out.hasPrefix("whsec_"))
            #expect(set.err.hasSuffix("warning: http to partner.example, which is not this machine, needs serve --allow-http; use https\n"))
        }
    }

    @Test(
        arguments: [
            (["--url", "https://x.example/"], "nobody", "Error: no partner named \"nobody\" (keys create --partner NAME makes one)"),
            (["--events", "call.finished"], "acme", "Error: partner acme has no webhook yet; give --url URL"),
            (["--rotate-secret"], "acme", "Error: partner acme has no webhook; give --url URL to make one"),
            (["--disable"], "acme", "Error: partner acme has no webhook; give --url URL to make one"),
            (["--redeliver-failed"], "acme", "Error: partner acme has no webhook; give --url URL to make one"),
            (["--redeliver-failed"], "nobody", "Error: no partner named \"nobody\" (keys create --partner NAME makes one)"),
            (["--url", "ftp://x.example/"], "acme", "Error: --url must be an absolute http or https URL, got \"ftp://x.example/\""),
            (["--url", "partner.example/hooks"], "acme", "Error: --url must be an absolute http or https URL, got \"partner.example/hooks\""),
            (
                ["--url", "https://x.example/", "--events", "call.done"], "acme",
                "Error: --events must list call.finished, call.cancelled or lead.suppressed, got \"call.done\""
            ),
            (
                ["--url", "https://x.example/", "--events", ","], "acme",
                "Error: --events must list call.finished, call.cancelled or lead.suppressed, got \",\""
            ),
            ([], "acme", "Error: give --url URL (with --events), --rotate-secret, --disable or --redeliver-failed"),
            (["--disable", "--url", "https://x.example/"], "acme", "Error: --disable goes alone"),
            (["--redeliver-failed", "--rotate-secret"], "acme", "Error: --redeliver-failed goes alone"),
            (["--url", "https://x.example/"], " ", "Error: the partner name must not be blank"),
            (
                ["--url", "https://x.example/"], "acme",
                "Error: a new webhook secret for acme is sealed with the secrets key: give --secrets-key-file PATH or set DIALLER_SECRETS_KEY_FILE "
                    + "(dialler-server secrets init --to PATH makes one)"
            ),
            (
                ["--url", "https://x.example/", "--secrets-key-file", "/nonexistent/secrets.key"], "acme",
                "Error: cannot read the secrets key file /nonexistent/secrets.key: no such file or directory"
            ),
        ] as [([String], String, String)])
    func aMistakeIsOneLineAndChangesNothing(options: [String], name: String, message: String) async throws {
        try await withTemporaryDirectory { folder in
            let db = try prepared(folder)
            let before = try scalar(db, "SELECT count(*) || ' ' || (SELECT count(*) FROM webhook_events) FROM webhook_endpoints")
            let result = try DiallerBinary.run(["partners", "webhook", name] + options + ["--db", db], in: "/")
            #expect(result.err == message + "\n")
            #expect(result.status != 0 && result.out.isEmpty)
            #expect(try scalar(db, "SELECT count(*) || ' ' || (SELECT count(*) FROM webhook_events) FROM webhook_endpoints") == before)
        }
    }

    @Test func aMissingDatabaseIsRefusedAndNotCreated() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/nope.sqlite"
            let result = try DiallerBinary.run(["partners", "webhook", "acme", "--url", "https://x.example/", "--db", db], in: "/")
            #expect(result.err == "Error: database \(db) does not exist (give --db, or create it with dialler-server migrate --db \(db))\n")
            #expect(!FileManager.default.fileExists(atPath: db))
        }
    }
}

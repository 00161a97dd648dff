import ArgumentParser
import DiallerStore
import Foundation

/// `dialler-server secrets …`: the key that seals partners' webhook secrets at rest.
struct Secrets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the key that seals partners' webhook secrets, or change it.",
        subcommands: [Init.self, Rotate.self]
    )

    /// `secrets init --to PATH [--db DB]`: a first key, and the database's clear secrets sealed with it.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Write a new secrets key (32 random bytes, mode 0600) to PATH, and seal with it the webhook \
                secrets --db holds in clear, if that database exists.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(name: .customLong("to"), parsing: .unconditional, help: "Where to write the key; an existing file is refused.")
        var target: String?

        func validate() throws {
            guard let target, !target.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("give --to PATH, the file the new key is written to")
            }
        }

        func run() async throws {
            let path = try database.databasePath()
            let target = self.target ?? ""
            let store = FileManager.default.fileExists(atPath: path) ? try openStore(database.currentSchemaConfiguration()) : nil
            defer { store?.close() }
            if let store {
                let sealedWith = try await store.webhookSecretsState().keyIDs
                if !sealedWith.isEmpty { throw CommandFailure(SecretsRefusal.alreadySealed(keyIDs: sealedWith).message(keyFile: target)) }
            }
            let bytes = SecretsKey.randomBytes()
            guard let key = SecretsKey(bytes: bytes) else { throw CommandFailure("the system made a key of the wrong length") }
            try SecretsKeyFile.write(bytes, to: target)
            guard let store else {
                print("wrote the secrets key to \(target) (key \(key.id), mode 0600); no database at \(path) yet")
                return
            }
            let report: SecretsReport
            do {
                report = try await store.sealWebhookSecrets(with: key)
            } catch {
                SecretsKeyFile.remove(target)
                if let refusal = error as? SecretsRefusal { throw CommandFailure(refusal.message(keyFile: target)) }
                throw error
            }
            print(
                "wrote the secrets key to \(target) (key \(key.id), mode 0600); sealed \(report.secrets) webhook secret(s) "
                    + "of \(report.endpoints) endpoint(s) in \(path)")
            if report.secrets > 0, !report.walTruncated {
                printError("warning: \(path)-wal could not be truncated (a reader held it); it keeps earlier copies until the next full checkpoint")
            }
        }
    }

    /// `secrets rotate --to NEW [--secrets-key-file CURRENT] [--db DB]`: every secret re-sealed with a new key.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Write a new secrets key to PATH and re-seal every webhook secret with it, in one transaction; \
                then point serve at the new file and restart it. The current key opens backups made before.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var secrets: SecretsKeyOptions

        @Option(name: .customLong("to"), parsing: .unconditional, help: "Where to write the new key; an existing file is refused.")
        var target: String?

        func validate() throws {
            guard let target, !target.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("give --to PATH, the file the new key is written to")
            }
        }

        func run() async throws {
            guard let current = try secrets.key() else {
                throw CommandFailure("secrets rotate needs the current secrets key: give --secrets-key-file PATH or set DIALLER_SECRETS_KEY_FILE")
            }
            let path = try database.databasePath()
            let target = self.target ?? ""
            try await database.withStore { store in
                let others = try await store.webhookSecretsState().keyIDs.filter { $0 != current.key.id }
                if !others.isEmpty {
                    throw CommandFailure(SecretsRefusal.wrongKey(given: current.key.id, sealedWith: others).message(keyFile: current.path))
                }
                let bytes = SecretsKey.randomBytes()
                guard let new = SecretsKey(bytes: bytes) else { throw CommandFailure("the system made a key of the wrong length") }
                try SecretsKeyFile.write(bytes, to: target)
                let report: SecretsReport
                do {
                    report = try await store.resealWebhookSecrets(from: current.key, to: new)
                } catch {
                    SecretsKeyFile.remove(target)
                    if let refusal = error as? SecretsRefusal { throw CommandFailure(refusal.message(keyFile: current.path)) }
                    throw error
                }
                print(
                    "re-sealed \(report.secrets) webhook secret(s) of \(report.endpoints) endpoint(s) in \(path) "
                        + "with the new key in \(target) (key \(new.id), mode 0600)")
                printError(
                    "now point DIALLER_SECRETS_KEY_FILE (or --secrets-key-file) at \(target) and restart serve; "
                        + "keep \(current.path) (key \(current.key.id)) with the backups made before now")
            }
        }
    }
}

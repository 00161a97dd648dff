import ArgumentParser
import DiallerStore

/// `--secrets-key-file PATH` / `DIALLER_SECRETS_KEY_FILE`: the key that seals partners' webhook
/// secrets, for `serve`, `partners webhook` and `secrets rotate`.
struct SecretsKeyOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: """
            File holding the 32-byte key that seals partners' webhook secrets, kept outside the database \
            (env DIALLER_SECRETS_KEY_FILE; dialler-server secrets init --to PATH makes one).
            """)
    var secretsKeyFile: String?

    mutating func validate() throws {
        _ = try path()
    }

    func path() throws -> String? {
        try Setting("--secrets-key-file", env: "DIALLER_SECRETS_KEY_FILE", .nonBlank).resolveIfSet(secretsKeyFile)
    }

    /// The key read from its file, or nil when neither the option nor the variable is set.
    func key() throws -> LoadedSecretsKey? {
        try path().map { LoadedSecretsKey(key: try SecretsKeyFile.read($0), path: $0) }
    }

    /// How to give a key, for the messages that ask for one.
    static let howToGive = "give --secrets-key-file PATH or set DIALLER_SECRETS_KEY_FILE (dialler-server secrets init --to PATH makes one)"
}

/// A key and the file it came from, which messages name.
struct LoadedSecretsKey: Sendable {
    let key: SecretsKey
    let path: String
}

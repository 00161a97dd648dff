import ArgumentParser
import DiallerStore

/// `dialler-server serve`: apply migrations, then serve until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations, then serve.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: ServeOptions
    @OptionGroup var secrets: SecretsKeyOptions

    func run() async throws {
        let settings = try options.settings()
        let secretsKey = try secrets.key()
        LogSetup.bootstrap(level: settings.logLevel, json: settings.jsonLogs)
        var runner = ServerRunner(storeConfiguration: try database.migratingConfiguration(), settings: settings)
        runner.secrets = secretsKey
        try await runner.run()
    }
}

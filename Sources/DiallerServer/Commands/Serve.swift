import ArgumentParser
import DiallerStore

/// `dialler-server serve`: apply migrations, then serve until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations, then serve.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: ServeOptions

    func run() async throws {
        let settings = try options.settings()
        LogSetup.bootstrap(level: settings.logLevel, json: settings.jsonLogs)
        try await ServerRunner(storeConfiguration: try database.migratingConfiguration(), settings: settings).run()
    }
}

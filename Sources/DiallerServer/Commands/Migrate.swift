import ArgumentParser
import DiallerStore

/// `dialler-server migrate`: apply pending migrations and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let configuration = try database.migratingConfiguration()
        let store = try openStore(configuration)
        defer { store.close() }
        if store.appliedMigrations.isEmpty {
            print("database \(configuration.path) is up to date")
        }
        for migration in store.appliedMigrations {
            print("applied \(migration.fileName)")
        }
    }
}

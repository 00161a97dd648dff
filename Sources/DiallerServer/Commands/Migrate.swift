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

/// Opens the store, naming the database in any SQLite failure (ArgumentParser prints an error
/// that is `CustomStringConvertible` as one line and exits non-zero).
func openStore(_ configuration: StoreConfiguration, clock: any WallClock = SystemClock(),
               onBatch: (@Sendable (BatchReport) -> Void)? = nil) throws -> Store {
    do {
        return try Store(configuration, clock: clock, onBatch: onBatch)
    } catch let error as SQLiteError {
        throw CommandFailure("cannot use database \(configuration.path): \(error.message)")
    }
}

/// A one-line failure for the command line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

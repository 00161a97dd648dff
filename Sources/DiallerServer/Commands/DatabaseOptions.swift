import ArgumentParser
import DiallerStore

/// Where the database and its migrations are; shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "SQLite database file (env DIALLER_DB).")
    var path = EnvironmentDefault.string("DIALLER_DB", "./dialler.sqlite")

    @Option(help: "Folder of NNNN_name.sql migrations (env DIALLER_MIGRATIONS).")
    var migrations = EnvironmentDefault.string("DIALLER_MIGRATIONS", "./Migrations")

    var storeConfiguration: StoreConfiguration {
        StoreConfiguration(path: path, migrationsDirectory: migrations)
    }
}

import ArgumentParser
import DiallerStore
import Foundation

/// Where the database and the administrators' migrations are; shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    /// Where seed migrations are looked for when neither `--migrations` nor its variable is given.
    static let defaultMigrationsFolder = "./Migrations"

    @Option(name: .customLong("db"), parsing: .unconditional, help: "SQLite database file (env DIALLER_DB; default ./dialler.sqlite).")
    var path: String?

    @Option(
        parsing: .unconditional,
        help: """
            Folder of your own NNNN_name.sql seed migrations, numbered from 1000, applied by serve and migrate \
            after the schema built into this binary (env DIALLER_MIGRATIONS; default ./Migrations when it exists).
            """)
    var migrations: String?

    @Option(
        parsing: .unconditional,
        help: """
            Who checkpoints the WAL: auto (this program) or external (a replicator such as Litestream, which \
            asks to be the only one) (env DIALLER_CHECKPOINTS; default auto).
            """)
    var checkpoints: String?

    mutating func validate() throws {
        _ = try databasePath()
        _ = try migrationsFolder()
        _ = try checkpointPolicy()
    }

    func databasePath() throws -> String {
        try Self.databasePath(path)
    }

    /// `--db` as given, else `DIALLER_DB`, else the default; for commands that take no other database option.
    static func databasePath(_ given: String?) throws -> String {
        try Setting("--db", env: "DIALLER_DB", .nonBlank).resolve(given, default: "./dialler.sqlite")
    }

    func checkpointPolicy() throws -> CheckpointPolicy {
        try Setting(
            "--checkpoints", env: "DIALLER_CHECKPOINTS",
            SettingRule(
                expectation: "auto or external", parse: CheckpointPolicy.init(rawValue:))
        )
        .resolve(checkpoints, default: .auto)
    }

    /// The seed folder: one that was named must exist (the loader says so); the default is used
    /// only when it exists, so commands run from any directory.
    func migrationsFolder() throws -> String? {
        if let named = try Setting("--migrations", env: "DIALLER_MIGRATIONS", .nonBlank).resolveIfSet(migrations) { return named }
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: Self.defaultMigrationsFolder, isDirectory: &isFolder)
        return exists && isFolder.boolValue ? Self.defaultMigrationsFolder : nil
    }

    /// For `serve` and `migrate`: create the file if needed and apply what is pending.
    func migratingConfiguration() throws -> StoreConfiguration {
        var configuration = StoreConfiguration(path: try databasePath(), migrationsDirectory: try migrationsFolder())
        configuration.checkpoints = try checkpointPolicy()
        return configuration
    }

    /// For administrative commands: the database as it is, refused if its schema is behind.
    func currentSchemaConfiguration() throws -> StoreConfiguration {
        var configuration = StoreConfiguration(path: try databasePath(), migrationsDirectory: nil)
        configuration.opening = .requireCurrentSchema
        configuration.checkpoints = try checkpointPolicy()
        return configuration
    }
}

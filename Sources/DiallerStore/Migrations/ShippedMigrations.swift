/// The schema migrations this binary was built with: the repository's `Migrations/` folder,
/// compiled in by the `EmbedMigrations` build plugin, so no source checkout is needed to migrate.
/// Their numbers are below `MigrationLoader.firstSeedVersion`; administrators' seeds are above.
public enum ShippedMigrations {
    /// Every shipped migration, in version order.
    public static let all: [Migration] = files.compactMap { file in
        MigrationLoader.parse(file.fileName).map { Migration(version: $0.version, name: $0.name, sql: file.sql) }
    }.sorted { $0.version < $1.version }

    /// The newest shipped migration's file name: the schema this binary needs.
    public static var newest: String { all.last?.fileName ?? "none" }
}

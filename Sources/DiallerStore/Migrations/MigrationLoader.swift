import Foundation

/// Reads an administrators' migrations folder: files named `NNNN_name.sql`, sorted by number.
/// A `.sql` file named otherwise is an error (it would otherwise never run and nobody be told);
/// other files, a README say, are left alone.
public enum MigrationLoader {
    /// Numbers below this belong to the shipped schema; administrators number their seeds from here.
    public static let firstSeedVersion = 1000

    public static func load(from directory: String) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StoreError.migrationsUnreadable(path: directory, reason: "no such folder, or it cannot be read")
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            guard let parsed = parse(fileName) else { throw StoreError.badMigrationName(fileName) }
            let path = (directory as NSString).appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StoreError.migrationsUnreadable(path: path, reason: "the file cannot be read")
            }
            migrations.append(Migration(version: parsed.version, name: parsed.name, sql: String(decoding: data, as: UTF8.self)))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw StoreError.duplicateMigrationVersion(next.version, files: [previous.fileName, next.fileName])
        }
        return migrations
    }

    /// The shipped migrations and an administrators' folder as one list. A folder file numbered
    /// like a shipped one must be that very file (the repository's own `Migrations/` is such a
    /// folder); any other file below `firstSeedVersion` would collide with a future schema change.
    public static func combine(shipped: [Migration], seeds: [Migration]) throws -> [Migration] {
        let shippedByVersion = Dictionary(uniqueKeysWithValues: shipped.map { ($0.version, $0) })
        var combined = shipped
        for seed in seeds {
            if let twin = shippedByVersion[seed.version] {
                guard twin.checksum == seed.checksum else { throw StoreError.seedShadowsSchema(file: seed.fileName, shipped: twin.fileName) }
                continue
            }
            guard seed.version >= firstSeedVersion else { throw StoreError.seedNumberReserved(file: seed.fileName) }
            combined.append(seed)
        }
        return combined.sorted { $0.version < $1.version }
    }

    /// `0001_schema.sql` → (1, "schema"); nil for any other name.
    static func parse(_ fileName: String) -> (version: Int, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let version = Int(digits) else { return nil }
        let name = stem[stem.index(after: underscore)...]
        guard !name.isEmpty else { return nil }
        return (version, String(name))
    }
}

import Foundation

/// Reads the migrations folder: files named `NNNN_name.sql`, sorted by their number.
public enum MigrationLoader {
    public static func load(from directory: String) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StoreError.migrationsUnreadable(path: directory, reason: error.localizedDescription)
        }
        var migrations: [Migration] = []
        for fileName in names where fileName.hasSuffix(".sql") {
            guard let parsed = parse(fileName) else { continue }
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

    /// `0001_schema.sql` → (1, "schema"); anything else is not a migration.
    static func parse(_ fileName: String) -> (version: Int, name: String)? {
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let version = Int(digits) else { return nil }
        let name = stem[stem.index(after: underscore)...]
        guard !name.isEmpty else { return nil }
        return (version, String(name))
    }
}

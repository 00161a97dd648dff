import ArgumentParser
import DiallerStore
import Foundation

/// `dialler-server backup --to PATH`: an online, consistent copy of the database while it serves.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: """
            Copy the database while it serves, consistently and without blocking intake; the copy is \
            checked with PRAGMA integrity_check and appears at PATH only when complete.
            """)

    @Option(name: .customLong("db"), parsing: .unconditional, help: "SQLite database file (env DIALLER_DB; default ./dialler.sqlite).")
    var path: String?

    @Option(name: .customLong("to"), parsing: .unconditional, help: "Where to write the copy (env DIALLER_BACKUP_TO); an existing file is refused.")
    var target: String?

    /// A flag only, with no variable: replacing a file should be asked for where it is seen.
    @Flag(help: "Replace the file at --to if there is one.")
    var force = false

    func validate() throws {
        _ = try DatabaseOptions.databasePath(path)
        _ = try targetPath()
    }

    func targetPath() throws -> String {
        guard let target = try Setting("--to", env: "DIALLER_BACKUP_TO", .nonBlank).resolveIfSet(target) else {
            throw ValidationError("give --to PATH, the file the copy is written to")
        }
        return target
    }

    func run() throws {
        let source = try DatabaseOptions.databasePath(path)
        let report = try DatabaseBackup(source: source, target: try targetPath(), replacing: force).run()
        print(
            "backed up \(source) to \(report.path): \(report.leads) leads, \(report.bytes) bytes, "
                + "integrity_check \(report.integrity), \(String(format: "%.2f", report.seconds)) s")
    }
}

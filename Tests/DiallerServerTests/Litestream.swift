import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real `litestream` binary (pinned by scripts/install-test-tools) and a file replica in a
/// temporary folder, configured as deploy/litestream.yml is.
struct Litestream {
    /// `LITESTREAM` when it names an executable, else the tools venv's `.venv-tools/bin/litestream`.
    static let binary: URL? = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fromEnvironment = ProcessInfo.processInfo.environment["LITESTREAM"] ?? ""
        let candidates: [String] = [fromEnvironment, repository.appendingPathComponent(".venv-tools/bin/litestream").path]
        return candidates.first { !$0.isEmpty && FileManager.default.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }()

    /// Seconds between Litestream's looks at the WAL and between its shipments to the replica:
    /// deploy/litestream.yml's values.
    static let monitorInterval = 1.0
    static let syncInterval = 1.0

    let config: String
    let database: String
    let replica: String

    /// Writes the configuration for `database` with a file replica beside it.
    init(database: String, folder: String) throws {
        self.database = database
        self.replica = folder + "/replica"
        self.config = folder + "/litestream.yml"
        try """
        logging:
          level: info
          stderr: true
        dbs:
          - path: \(database)
            monitor-interval: \(Int(Self.monitorInterval * 1000))ms
            replica:
              type: file
              path: \(replica)
              sync-interval: \(Int(Self.syncInterval * 1000))ms

        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// `litestream replicate -exec "dialler-server serve …"`, as dialler-replicated.service runs it.
    func replicate(migrations: String, extraArguments: [String] = []) throws -> ServerProcess {
        guard let server = DiallerBinary.url?.path else { throw CommandLineTestError.binaryNotBuilt }
        let serve = [server, "serve", "--db", database, "--migrations", migrations, "--port", "0"] + extraArguments
        return try ServerProcess(executable: Self.binary, arguments: ["replicate", "-config", config, "-exec", serve.joined(separator: " ")])
    }

    /// `litestream restore` of the replica into a new file at `path`.
    func restore(to path: String) throws -> (status: Int32, output: String) {
        guard let binary = Self.binary else { throw LitestreamError.notInstalled }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["restore", "-config", config, "-o", path, database]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

/// Why a Litestream step could not run.
enum LitestreamError: Error {
    case notInstalled
}

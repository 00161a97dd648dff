import ArgumentParser
import DiallerStore
import Foundation

/// `dialler-server demo`: a throw-away database with example types and keys, then serve.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a throw-away demo database with example lead types, printing a partner and a dialler key.")

    @Option(name: .customLong("db"), help: "Demo database file, deleted and created afresh.")
    var path = "./dialler-demo.sqlite"

    @Option(help: "Folder of NNNN_name.sql migrations.")
    var migrations = EnvironmentDefault.string("DIALLER_MIGRATIONS", "./Migrations")

    @OptionGroup var options: ServeOptions

    func run() async throws {
        LogSetup.bootstrap(level: options.logLevel, json: options.jsonLogs)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        var database = DatabaseOptions()
        database.path = path
        database.migrations = migrations
        let (partnerKey, diallerKey) = try await Self.seed(database.storeConfiguration)
        var runner = ServerRunner(database: database, options: options)
        runner.onListening = { address in
            let banner = """

                Demo database: \(path) (example lead types: motor-trade, van-insurance, home-insurance)
                Partner key:   \(partnerKey)
                Dialler key:   \(diallerKey)

                Try it:
                  curl -s -X POST 'http://\(address)/lead/add?key=\(partnerKey)' -H 'Content-Type: application/json' \\
                    -d '{"first_name":"John","surname":"Doe","mobile":"07840258823","email":"john.doe@example.com","type":"motor-trade"}'
                  curl -s -X POST 'http://\(address)/queue/next' -H 'Authorization: Bearer \(diallerKey)'

                """
            FileHandle.standardOutput.write(Data((banner + "\n").utf8))
        }
        try await runner.run()
    }

    /// Creates the demo database with example types, a partner key and a dialler key.
    static func seed(_ configuration: StoreConfiguration) async throws -> (partner: String, dialler: String) {
        let store = try openStore(configuration)
        defer { store.close() }
        try await store.seedExampleTypes()
        let partner = try await store.createKey(role: .partner, name: "demo-partner")
        let dialler = try await store.createKey(role: .dialler, name: "demo-dialler")
        return (partner.key, dialler.key)
    }
}

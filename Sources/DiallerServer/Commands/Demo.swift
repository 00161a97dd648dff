import ArgumentParser
import DiallerStore
import Foundation

/// `dialler-server demo`: a throw-away database with example types and keys, then serve.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a throw-away demo database with example lead types, printing a partner and a dialler key.")

    @Option(name: .customLong("db"), parsing: .unconditional, help: "Demo database file, deleted and created afresh.")
    var path = "./dialler-demo.sqlite"

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let settings = try options.settings()
        LogSetup.bootstrap(level: settings.logLevel, json: settings.jsonLogs)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        // The schema built into the binary; the demo's types are seeded below, not from a folder.
        let storeConfiguration = StoreConfiguration(path: path, migrationsDirectory: nil)
        let (partnerKey, diallerKey) = try await Self.seed(storeConfiguration)
        var runner = ServerRunner(storeConfiguration: storeConfiguration, settings: settings)
        let path = self.path
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
            StandardStream.output.write(banner + "\n")
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

import ArgumentParser
import DiallerStore
import Hummingbird
import Logging

/// `dialler-server serve`: apply migrations, then serve until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations, then serve.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: ServeOptions

    func run() async throws {
        LogSetup.bootstrap(level: options.logLevel, json: options.jsonLogs)
        try await ServerRunner(database: database, options: options).run()
    }
}

/// Opens the store and runs the HTTP server, the promotion worker and the store as one service group.
struct ServerRunner {
    let database: DatabaseOptions
    let options: ServeOptions
    var onListening: @Sendable (String) -> Void = { _ in }

    func run() async throws {
        let logger = Logger(label: "dialler")
        let metrics = ServiceMetrics()
        var storeConfiguration = database.storeConfiguration
        storeConfiguration.maxBatch = options.maxBatch
        storeConfiguration.leaseSeconds = options.lease
        let store = try openStore(storeConfiguration, onBatch: { metrics.batchCommitted($0) })
        logger.info("database open", metadata: [
            "database": "\(database.path)", "migrations_folder": "\(database.migrations)",
            "migrations_applied": "\(store.appliedMigrations.map(\.fileName))", "lead_types": "\(store.leadTypeNames.count)",
            "max_batch": "\(options.maxBatch)",
        ])
        let worker = PromotionWorker(store: store, interval: options.promoteEvery, logger: logger) { report, _ in
            metrics.promotionTicked(report)
        }
        let onListening = self.onListening
        let app = buildApplication(
            configuration: options.serverConfiguration, store: store, worker: worker, metrics: metrics, logger: logger
        ) { channel in
            let address = channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
            logger.info("listening", metadata: ["address": "\(address)"])
            onListening(address)
        }
        try await app.runService()
        logger.info("shut down cleanly")
    }
}

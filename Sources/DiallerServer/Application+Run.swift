import DiallerStore
import Hummingbird
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Opens the store and runs the HTTP server, the promotion worker and the store as one service group.
struct ServerRunner {
    var storeConfiguration: StoreConfiguration
    let settings: ServeSettings
    var onListening: @Sendable (String) -> Void = { _ in }
    /// The key that seals partners' webhook secrets; nil only while no endpoint exists.
    var secrets: LoadedSecretsKey?

    init(storeConfiguration: StoreConfiguration, settings: ServeSettings) {
        self.storeConfiguration = storeConfiguration
        self.settings = settings
        self.storeConfiguration.maxBatch = settings.maxBatch
        self.storeConfiguration.leaseSeconds = settings.leaseSeconds
        self.storeConfiguration.contactRules = settings.contactRules
        self.storeConfiguration.retentionDays = settings.retentionDays
        self.storeConfiguration.idempotencyHours = settings.idempotencyHours
    }

    func run() async throws {
        // A log reader that goes away must cost the server its log lines, not its life: with
        // SIGPIPE ignored a write to a broken pipe fails (StandardStream drops the line) instead of
        // killing the process. NIO ignores it too, but only once it opens its first socket, after
        // the lines written while the database opens.
        signal(SIGPIPE, SIG_IGN)
        let logger = Logger(label: "dialler")
        let metrics = ServiceMetrics()
        let store = try openStore(storeConfiguration, onBatch: { metrics.batchCommitted($0) })
        logger.info(
            "database open",
            metadata: [
                "database": "\(storeConfiguration.path)", "migrations_folder": "\(storeConfiguration.migrationsDirectory ?? "none")",
                "schema": "\(ShippedMigrations.newest)",
                "migrations_applied": "\(store.appliedMigrations.map(\.fileName))", "lead_types": "\(store.leadTypeNames.count)",
                "max_batch": "\(settings.maxBatch)", "checkpoints": "\(storeConfiguration.checkpoints.rawValue)",
                "sqlite": "\(SQLiteLibrary.version)",
            ])
        do {
            try await SecretsStartup.prepare(store, secrets: secrets, logger: logger)
        } catch {
            store.close()
            throw error
        }
        var webhooks = settings.webhooks
        webhooks.secretsKey = secrets?.key
        let configuration = settings.server
        let worker = HousekeepingWorker(store: store, interval: configuration.promoteEvery, logger: logger) { report, _ in
            metrics.promotionTicked(report)
        }
        let onListening = self.onListening
        let app = buildApplication(
            configuration: configuration, store: store, worker: worker, metrics: metrics, logger: logger,
            webhooks: webhooks
        ) { channel in
            let address = channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
            logger.info("listening", metadata: ["address": "\(address)"])
            onListening(address)
        }
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw CommandFailure("cannot listen on \(configuration.host):\(configuration.port): address already in use")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
            throw CommandFailure(
                "cannot listen on \(configuration.host):\(configuration.port): \(String(cString: strerror(error.errnoCode)).lowercased())")
        }
        logger.info("shut down cleanly")
    }
}

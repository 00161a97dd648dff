import Logging
import ServiceLifecycle

/// Keeps the store open for the life of the service group and closes it last: on shutdown the
/// HTTP server stops first, then the promotion worker, then this commits what is pending and
/// checkpoints the WAL.
public struct StoreService: Service {
    let store: Store
    let logger: Logger

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        store.close()
        logger.info("store closed", metadata: ["database": "\(store.configuration.path)"])
    }
}

import DiallerStore
import Foundation
import Hummingbird
import LeadIntake
import Logging
import NIOCore

/// Builds the HTTP application over an opened store and its promotion worker, with the webhook
/// delivery worker when `webhooks` is given.
func buildApplication(
    configuration: ServerConfiguration, store: Store, worker: HousekeepingWorker, metrics: ServiceMetrics, logger: Logger,
    webhooks: WebhookDeliverySettings? = nil,
    onServerRunning: (@Sendable (any Channel) async -> Void)? = nil
) -> some ApplicationProtocol {
    PhoneNumbers.warmUp()
    let router = Router(context: DiallerContext.self)
    router.add(middleware: ResponseMiddleware(metrics: metrics, trustedProxies: configuration.trustedProxies))
    let rateLimiter = configuration.rateLimit.map { RateLimiter(perSecond: $0, burst: configuration.rateBurst) }
    let authenticator = Authenticator(store: store, rateLimiter: rateLimiter, metrics: metrics)
    let numbers = PhoneNumbers(defaultRegion: configuration.region)
    let shared = RouteDependencies(
        store: store, authenticator: authenticator, numbers: numbers, metrics: metrics,
        idempotency: IdempotencyGuard(store: store, inProgress: KeysInProgress()))
    LeadRoutes(shared: shared, maxBodyBytes: configuration.maxBodyBytes).register(on: router)
    LeadBatchRoutes(shared: shared, maxBodyBytes: configuration.maxBatchBodyBytes).register(on: router)
    LeadStatusRoutes(shared: shared, maxBodyBytes: configuration.maxBodyBytes).register(on: router)
    let abandonGuard = AbandonGuard(
        store: store, limit: configuration.abandonLimit, minLive: configuration.abandonMinLive,
        metrics: metrics, logger: logger)
    QueueRoutes(shared: shared, maxBodyBytes: configuration.maxBodyBytes, abandonGuard: abandonGuard).register(on: router)
    OperationsRoutes(
        store: store, worker: worker, metrics: metrics, metricsKey: configuration.metricsKey,
        maxTickAge: max(5, configuration.promoteEvery * 5), openAPIDocument: OpenAPIDocument.yaml
    )
    .register(on: router)
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        // Shut down in reverse: webhook delivery stops before the promotion worker and the store.
        services: [StoreService(store: store, logger: logger), worker]
            + (webhooks.map { [WebhookDeliveryService(store: store, settings: $0, metrics: metrics, logger: logger)] } ?? []),
        onServerRunning: onServerRunning ?? { _ in },
        logger: logger
    )
}

import AsyncHTTPClient
import DiallerStore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Sends the outbox's events to partners' endpoints: at least once, oldest first per partner,
/// a few attempts in flight per partner and a bounded number altogether, so a slow or dead
/// endpoint only ever holds its own partner's slots. Due events are read through a reader, sent
/// outside any transaction, and each result is recorded as a small writer job: nothing here holds
/// the writer while it waits on the network. Pending events survive a restart in the outbox.
final class WebhookDeliveryService: Service, Sendable {
    private let store: Store
    private let settings: WebhookDeliverySettings
    private let metrics: ServiceMetrics
    private let logger: Logger
    /// Events being attempted now, by partner: read and changed by the polling loop and by each
    /// attempt's task as it ends, so behind a lock.
    private let inFlight = Mutex<[Int64: Set<Int64>]>([:])
    private let wake = WakeSignal()

    init(store: Store, settings: WebhookDeliverySettings, metrics: ServiceMetrics, logger: Logger) {
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    func run() async throws {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(settings.attemptTimeout * 1000))))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = settings.perPartner
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        logger.info("webhook delivery started", metadata: ["per_partner": "\(settings.perPartner)", "overall": "\(settings.overall)"])
        // On shutdown the loop and every attempt are cancelled: an interrupted event stays pending
        // and is sent again after the restart (at least once).
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                let attempt = WebhookAttempt(client: client, timeout: self.settings.attemptTimeout)
                var lastPurge = ContinuousClock.now
                var lastGauges = ContinuousClock.now - .seconds(3_600)
                while !Task.isCancelled {
                    do {
                        try await self.startDueAttempts(in: &group, attempt: attempt)
                        if ContinuousClock.now - lastGauges >= .seconds(5) {
                            lastGauges = .now
                            self.metrics.update(from: try await self.store.outboxBacklog(), now: self.store.clock.now())
                        }
                        if ContinuousClock.now - lastPurge >= .seconds(self.settings.purgeInterval) {
                            lastPurge = .now
                            try await self.store.purgeDeliveredWebhooks(olderThanDays: self.settings.retentionDays)
                        }
                    } catch {
                        self.logger.error("webhook delivery poll failed", metadata: ["error": "\(error)"])
                    }
                    await self.wake.wait(upTo: self.settings.pollInterval)
                }
            }
        }
        try? await client.shutdown()
        logger.info("webhook delivery stopped")
    }

    /// Starts an attempt for each due event that has a free slot, per partner and overall.
    private func startDueAttempts(in group: inout DiscardingTaskGroup, attempt: WebhookAttempt) async throws {
        // Taken before the read: an attempt records its result before it leaves this set, so an
        // event the read still finds due is either in it or not in flight (never sent twice).
        let flights = inFlight.withLock { $0 }
        var total = flights.values.reduce(0) { $0 + $1.count }
        // A partner's first `perPartner` due events hold every one its free slots can take: at
        // most `mine.count` of them are in flight, and `free` is at most the rest.
        for (endpoint, due) in try await store.dueWebhookDeliveries(limit: settings.perPartner) {
            let mine = flights[endpoint.partnerID] ?? []
            let free = min(settings.perPartner - mine.count, settings.overall - total)
            guard free > 0 else { continue }
            for event in due.filter({ !mine.contains($0.eventID) }).prefix(free) {
                inFlight.withLock { _ = $0[endpoint.partnerID, default: []].insert(event.eventID) }
                total += 1
                group.addTask {
                    await self.deliver(event, to: endpoint, with: attempt)
                    _ = self.inFlight.withLock { $0[endpoint.partnerID]?.remove(event.eventID) }
                    self.wake.signal()
                }
            }
        }
    }

    /// One attempt and its recorded result; an attempt cut short by shutdown records nothing.
    private func deliver(_ event: OutboxEvent, to endpoint: WebhookEndpoint, with attempt: WebhookAttempt) async {
        let now = store.clock.now()
        let answer: WebhookAttempt.Answer
        if let refusal = settings.urlPolicy.refusal(of: endpoint.url) {
            answer = .error(refusal)
        } else {
            do {
                let secrets = try endpoint.signingSecrets(at: now).map { try self.reveal($0, of: endpoint) }
                answer = await attempt.send(event, to: endpoint.url, signingSecrets: secrets, at: now)
            } catch {
                answer = .error("\(error)")
            }
        }
        if Task.isCancelled { return }
        let result = self.result(of: answer, for: event, at: store.clock.now())
        do {
            try await store.recordDeliveryAttempt(eventID: event.eventID, result)
            metrics.webhookAttempted(partner: endpoint.partner, result: result)
        } catch {
            logger.error("webhook result not recorded", metadata: ["event_id": "\(event.eventID)", "error": "\(error)"])
        }
        if case .failed(_, let error) = result {
            logger.warning("webhook failed", metadata: ["partner": "\(endpoint.partner)", "event_id": "\(event.eventID)", "error": "\(error)"])
        }
    }

    /// A signing secret in clear. A secret sealed with another key than this server's (after
    /// `secrets rotate`, before the restart it asks for) cannot sign: the attempt fails and is
    /// retried, so the event waits for the restart instead of going out unsigned.
    private func reveal(_ stored: StoredSecret, of endpoint: WebhookEndpoint) throws -> String {
        guard let key = settings.secretsKey else {
            if case .clear(let secret) = stored { return secret }
            throw CommandFailure("no secrets key to open the webhook secret (serve --secrets-key-file)")
        }
        do {
            return try key.reveal(stored, partner: endpoint.partner)
        } catch let refusal as SecretsRefusal {
            throw CommandFailure(refusal.message(keyFile: nil) + "; restart serve with the key file that secrets rotate wrote")
        }
    }

    /// 2xx delivers; anything else is tried again after the back-off, unless that would pass the
    /// event's 24 hours, when it fails.
    private func result(of answer: WebhookAttempt.Answer, for event: OutboxEvent, at now: Timestamp) -> DeliveryAttemptResult {
        let status: Int?
        let error: String
        switch answer {
        case .status(let code) where (200..<300).contains(code): return .delivered(status: code)
        case .status(let code): (status, error) = (code, "HTTP \(code)")
        case .error(let message): (status, error) = (nil, message)
        }
        let delay = settings.backoff.delay(afterAttempt: event.attempts + 1)
        let next = Timestamp(milliseconds: now.milliseconds + Int64(delay * 1000))
        if next.milliseconds > event.queuedAt.milliseconds + Int64(settings.giveUpAfter * 1000) {
            return .failed(status: status, error: error)
        }
        return .retry(status: status, error: error, next: next)
    }
}

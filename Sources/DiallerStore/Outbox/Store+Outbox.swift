extension Store {
    /// Re-queues a partner's failed deliveries; answers how many.
    public func redeliverFailedWebhooks(partner: String) async throws -> Int {
        let clock = self.clock
        return try await writer.write { connection in
            guard let endpoint = try connection.webhookEndpoint(partner: partner) else {
                if try connection.queryFirst("SELECT 1 FROM partners WHERE name = ?", .text(partner), row: { _ in true }) == nil {
                    throw WebhookEndpointRefusal.noSuchPartner(partner)
                }
                throw WebhookEndpointRefusal.noSuchEndpoint(partner)
            }
            return try connection.requeueFailedEvents(partnerID: endpoint.partnerID, at: clock.now())
        }
    }

    /// The partner's pending events due now, oldest first, through a reader: the worker never holds the writer.
    public func dueOutboxEvents(partnerID: Int64, limit: Int) async throws -> [OutboxEvent] {
        let now = clock.now()
        return try await read { try $0.dueOutboxEvents(partnerID: partnerID, at: now, limit: limit) }
    }

    /// Records one attempt's result as a small writer job.
    public func recordDeliveryAttempt(eventID: Int64, _ result: DeliveryAttemptResult) async throws {
        let clock = self.clock
        try await writer.write { try $0.recordDeliveryAttempt(eventID: eventID, result, at: clock.now()) }
    }

    /// Deletes events delivered more than `days` ago, a chunk per writer job so intake waits behind none for long.
    @discardableResult
    public func purgeDeliveredWebhooks(olderThanDays days: Int, chunk: Int = 1_000) async throws -> Int {
        let cutoff = clock.now().adding(seconds: -days * 86_400)
        var total = 0
        while true {
            let purged = try await writer.write { try $0.purgeDeliveredEvents(before: cutoff, limit: chunk) }
            total += purged
            if purged < chunk { return total }
        }
    }

    public func outboxBacklog() async throws -> OutboxBacklog {
        try await read { try $0.outboxBacklog() }
    }
}

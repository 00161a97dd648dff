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

    /// Each enabled endpoint with up to `limit` of its partner's pending events due now, oldest
    /// first, through a reader (the worker never holds the writer) and in one read block, so in one
    /// snapshot: an event goes to the URL, with the secrets, of the commit it was found due in.
    /// Read apart, an administrator's new URL and the failed events re-queued after it could meet
    /// an endpoint read before the change, and the re-queued events went to the old URL again.
    public func dueWebhookDeliveries(limit: Int) async throws -> [(endpoint: WebhookEndpoint, events: [OutboxEvent])] {
        let now = clock.now()
        return try await read { connection in
            try connection.webhookEndpoints().filter { !$0.disabled }.map { endpoint in
                (endpoint, try connection.dueOutboxEvents(partnerID: endpoint.partnerID, at: now, limit: limit))
            }
        }
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

extension Store {
    /// Creates or changes a partner's webhook endpoint in one writer job; a new secret, when one
    /// is made, is in the report and nowhere else outside the database.
    public func changeWebhookEndpoint(partner: String, _ change: WebhookEndpointChange) async throws -> WebhookEndpointChangeReport {
        let clock = self.clock, secret = WebhookSecret.generate()
        return try await writer.write { try $0.changeWebhookEndpoint(partner: partner, change, secret: secret, at: clock.now()) }
    }

    public func webhookEndpoints() async throws -> [WebhookEndpoint] {
        try await read { try $0.webhookEndpoints() }
    }
}

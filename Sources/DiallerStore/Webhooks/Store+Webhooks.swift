extension Store {
    /// Creates or changes a partner's webhook endpoint in one writer job; a new secret, when one
    /// is made, is stored sealed with `key` and is in the report in clear, and nowhere else. A
    /// first endpoint or a rotation needs the key; a key other than the one the table's secrets
    /// are sealed with is refused.
    public func changeWebhookEndpoint(
        partner: String, _ change: WebhookEndpointChange,
        key: SecretsKey?
    ) async throws -> WebhookEndpointChangeReport {
        let clock = self.clock
        let secret = WebhookSecret.generate()
        let sealed = try key?.seal(secret)
        let (endpoint, stored) = try await writer.write { connection in
            if let key { try connection.requireSecretsKey(key.id) }
            // A rotation moves the old secret aside and a second one replaces it: zero what is freed.
            return try connection.withSecureDelete {
                try connection.changeWebhookEndpoint(partner: partner, change, secret: sealed, at: clock.now())
            }
        }
        return WebhookEndpointChangeReport(endpoint: endpoint, newSecret: stored ? secret : nil)
    }

    public func webhookEndpoints() async throws -> [WebhookEndpoint] {
        try await read { try $0.webhookEndpoints() }
    }
}

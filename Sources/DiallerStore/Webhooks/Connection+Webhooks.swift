extension Connection {
    /// Every endpoint, enabled or not, with its partner's name.
    func webhookEndpoints() throws -> [WebhookEndpoint] {
        try query("""
            SELECT e.partner_id, p.name, e.url, e.events, e.secret, e.previous_secret, e.previous_expires_at, e.disabled_at IS NOT NULL
            FROM webhook_endpoints e JOIN partners p ON p.partner_id = e.partner_id ORDER BY e.partner_id
            """, row: Self.endpoint)
    }

    func webhookEndpoint(partner name: String) throws -> WebhookEndpoint? {
        try queryFirst("""
            SELECT e.partner_id, p.name, e.url, e.events, e.secret, e.previous_secret, e.previous_expires_at, e.disabled_at IS NOT NULL
            FROM webhook_endpoints e JOIN partners p ON p.partner_id = e.partner_id WHERE p.name = ?
            """, .text(name), row: Self.endpoint)
    }

    /// Creates or changes a partner's endpoint in the caller's transaction. A new endpoint, or a
    /// rotation, gets a new secret (`secret`); a rotation keeps the old one signing for a day.
    /// Giving a URL or events to a disabled endpoint enables it again.
    func changeWebhookEndpoint(partner name: String, _ change: WebhookEndpointChange, secret: String,
                               at now: Timestamp) throws -> WebhookEndpointChangeReport {
        guard let partnerID = try queryFirst("SELECT partner_id FROM partners WHERE name = ?", .text(name), row: { $0.int64(0) }) else {
            throw WebhookEndpointRefusal.noSuchPartner(name)
        }
        let events = change.events.map { $0.map(\.rawValue).joined(separator: ",") }
        let nowText = now.iso8601
        var newSecret: String?
        if try webhookEndpoint(partner: name) == nil {
            guard let url = change.url else {
                throw change.disable || change.rotateSecret ? WebhookEndpointRefusal.noSuchEndpoint(name) : WebhookEndpointRefusal.urlRequired(name)
            }
            try execute("""
                INSERT INTO webhook_endpoints(partner_id, url, events, secret, disabled_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, .integer(partnerID), .text(url), .text(events ?? WebhookEventType.allCases.map(\.rawValue).joined(separator: ",")),
                .text(secret), .text(change.disable ? nowText : nil), .text(nowText), .text(nowText))
            newSecret = secret
        } else {
            if change.url != nil || events != nil {
                try execute("""
                    UPDATE webhook_endpoints SET url = coalesce(?, url), events = coalesce(?, events), disabled_at = NULL, updated_at = ?
                    WHERE partner_id = ?
                    """, .text(change.url), .text(events), .text(nowText), .integer(partnerID))
            }
            if change.rotateSecret {
                try execute("""
                    UPDATE webhook_endpoints SET previous_secret = secret, previous_expires_at = ?, secret = ?, updated_at = ?
                    WHERE partner_id = ?
                    """, .text(now.adding(seconds: WebhookSecret.rotationOverlapSeconds).iso8601), .text(secret), .text(nowText),
                    .integer(partnerID))
                newSecret = secret
            }
            if change.disable {
                try execute("UPDATE webhook_endpoints SET disabled_at = ?, updated_at = ? WHERE partner_id = ?",
                            .text(nowText), .text(nowText), .integer(partnerID))
            }
        }
        guard let endpoint = try webhookEndpoint(partner: name) else { throw WebhookEndpointRefusal.noSuchEndpoint(name) }
        return WebhookEndpointChangeReport(endpoint: endpoint, newSecret: newSecret)
    }

    private static func endpoint(_ row: Row) -> WebhookEndpoint {
        WebhookEndpoint(
            partnerID: row.int64(0), partner: row.text(1), url: row.text(2),
            events: row.text(3).split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) },
            secret: row.text(4), previousSecret: row.optionalText(5),
            previousExpiresAt: row.optionalText(6).flatMap(Timestamp.init(iso8601:)), disabled: row.int(7) == 1)
    }
}

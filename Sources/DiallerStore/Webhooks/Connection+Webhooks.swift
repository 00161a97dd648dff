extension Connection {
    /// Every endpoint, enabled or not, with its partner's name.
    func webhookEndpoints() throws -> [WebhookEndpoint] {
        try query(
            """
            SELECT e.partner_id, p.name, e.url, e.events, e.previous_expires_at, e.disabled_at IS NOT NULL,
                   e.secret, e.sealed_secret, e.secret_key_id, e.previous_secret, e.sealed_previous_secret, e.previous_key_id
            FROM webhook_endpoints e JOIN partners p ON p.partner_id = e.partner_id ORDER BY e.partner_id
            """, row: Self.endpoint)
    }

    func webhookEndpoint(partner name: String) throws -> WebhookEndpoint? {
        try queryFirst(
            """
            SELECT e.partner_id, p.name, e.url, e.events, e.previous_expires_at, e.disabled_at IS NOT NULL,
                   e.secret, e.sealed_secret, e.secret_key_id, e.previous_secret, e.sealed_previous_secret, e.previous_key_id
            FROM webhook_endpoints e JOIN partners p ON p.partner_id = e.partner_id WHERE p.name = ?
            """, .text(name), row: Self.endpoint)
    }

    /// Creates or changes a partner's endpoint in the caller's transaction. A new endpoint, or a
    /// rotation, gets the new secret `secret`, sealed (refused when there is none: no secrets
    /// key); a rotation keeps the old one signing for a day. Giving a URL or events to a disabled
    /// endpoint enables it again. Answers the endpoint and whether `secret` was stored.
    func changeWebhookEndpoint(
        partner name: String, _ change: WebhookEndpointChange, secret: SealedSecret?,
        at now: Timestamp
    ) throws -> (endpoint: WebhookEndpoint, storedSecret: Bool) {
        guard let partnerID = try queryFirst("SELECT partner_id FROM partners WHERE name = ?", .text(name), row: { $0.int64(0) }) else {
            throw WebhookEndpointRefusal.noSuchPartner(name)
        }
        let events = change.events.map { $0.map(\.rawValue).joined(separator: ",") }
        let nowText = now.iso8601
        var storedSecret = false
        if try webhookEndpoint(partner: name) == nil {
            guard let url = change.url else {
                throw change.disable || change.rotateSecret ? WebhookEndpointRefusal.noSuchEndpoint(name) : WebhookEndpointRefusal.urlRequired(name)
            }
            guard let secret else { throw WebhookEndpointRefusal.secretsKeyRequired(name) }
            try execute(
                """
                INSERT INTO webhook_endpoints(partner_id, url, events, sealed_secret, secret_key_id, disabled_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, .integer(partnerID), .text(url), .text(events ?? WebhookEventType.allCases.map(\.rawValue).joined(separator: ",")),
                .blob(secret.box), .text(secret.keyID), .text(change.disable ? nowText : nil), .text(nowText), .text(nowText))
            storedSecret = true
        } else {
            if change.rotateSecret, secret == nil { throw WebhookEndpointRefusal.secretsKeyRequired(name) }
            if change.url != nil || events != nil {
                try execute(
                    """
                    UPDATE webhook_endpoints SET url = coalesce(?, url), events = coalesce(?, events), disabled_at = NULL, updated_at = ?
                    WHERE partner_id = ?
                    """, .text(change.url), .text(events), .text(nowText), .integer(partnerID))
            }
            if change.rotateSecret, let secret {
                try execute(
                    """
                    UPDATE webhook_endpoints
                    SET previous_secret = secret, sealed_previous_secret = sealed_secret, previous_key_id = secret_key_id,
                        previous_expires_at = ?, secret = NULL, sealed_secret = ?, secret_key_id = ?, updated_at = ?
                    WHERE partner_id = ?
                    """, .text(now.adding(seconds: WebhookSecret.rotationOverlapSeconds).iso8601), .blob(secret.box), .text(secret.keyID),
                    .text(nowText), .integer(partnerID))
                storedSecret = true
            }
            if change.disable {
                try execute(
                    "UPDATE webhook_endpoints SET disabled_at = ?, updated_at = ? WHERE partner_id = ?",
                    .text(nowText), .text(nowText), .integer(partnerID))
            }
        }
        guard let endpoint = try webhookEndpoint(partner: name) else { throw WebhookEndpointRefusal.noSuchEndpoint(name) }
        return (endpoint, storedSecret)
    }

    private static func endpoint(_ row: Row) -> WebhookEndpoint {
        WebhookEndpoint(
            partnerID: row.int64(0), partner: row.text(1), url: row.text(2),
            events: row.text(3).split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) },
            secret: storedSecret(row, clear: 6) ?? .clear(""), previousSecret: storedSecret(row, clear: 9),
            previousExpiresAt: row.optionalText(4).flatMap(Timestamp.init(iso8601:)), disabled: row.int(5) == 1)
    }
}

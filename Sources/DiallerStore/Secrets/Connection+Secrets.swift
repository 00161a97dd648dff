extension Connection {
    /// One endpoint's secrets as its row holds them, for sealing and re-sealing.
    struct EndpointSecrets {
        let partnerID: Int64
        let partner: String
        let secret: StoredSecret
        let previous: StoredSecret?
    }

    /// Every endpoint's secrets, by partner id.
    func endpointSecrets() throws -> [EndpointSecrets] {
        try query(
            """
            SELECT e.partner_id, p.name, e.secret, e.sealed_secret, e.secret_key_id,
                   e.previous_secret, e.sealed_previous_secret, e.previous_key_id
            FROM webhook_endpoints e JOIN partners p ON p.partner_id = e.partner_id ORDER BY e.partner_id
            """
        ) { row in
            EndpointSecrets(
                partnerID: row.int64(0), partner: row.text(1),
                secret: Self.storedSecret(row, clear: 2) ?? .clear(""), previous: Self.storedSecret(row, clear: 5))
        }
    }

    /// The secret in columns `clear`, `clear + 1` (sealed) and `clear + 2` (its key's id); nil when all are NULL.
    static func storedSecret(_ row: Row, clear: Int32) -> StoredSecret? {
        if let box = row.optionalBlob(clear + 1) {
            return .sealed(SealedSecret(keyID: row.text(clear + 2), box: box))
        }
        return row.optionalText(clear).map(StoredSecret.clear)
    }

    /// Replaces an endpoint's secrets with sealed ones; the clear columns become NULL.
    func storeSealedSecrets(partnerID: Int64, secret: SealedSecret, previous: SealedSecret?) throws {
        try execute(
            """
            UPDATE webhook_endpoints SET secret = NULL, sealed_secret = ?, secret_key_id = ?,
                                         previous_secret = NULL, sealed_previous_secret = ?, previous_key_id = ?
            WHERE partner_id = ?
            """, .blob(secret.box), .text(secret.keyID), previous.map { SQLValue.blob($0.box) } ?? .null, .text(previous?.keyID),
            .integer(partnerID))
    }

    /// How many webhook endpoints exist, and the ids of the keys their secrets are sealed with, sorted.
    func webhookSecretsState() throws -> WebhookSecretsState {
        let endpoints = try queryFirst("SELECT count(*) FROM webhook_endpoints") { $0.int(0) } ?? 0
        let keyIDs = try query(
            """
            SELECT secret_key_id FROM webhook_endpoints WHERE secret_key_id IS NOT NULL
            UNION SELECT previous_key_id FROM webhook_endpoints WHERE previous_key_id IS NOT NULL
            ORDER BY 1
            """
        ) { $0.text(0) }
        return WebhookSecretsState(endpoints: endpoints, keyIDs: keyIDs)
    }

    /// Refuses, in the caller's transaction, a key other than the one every sealed secret names:
    /// one table never holds secrets sealed with two keys.
    func requireSecretsKey(_ id: String) throws {
        let others = try webhookSecretsState().keyIDs.filter { $0 != id }
        if !others.isEmpty { throw SecretsRefusal.wrongKey(given: id, sealedWith: others) }
    }

    /// Runs `work` with freed bytes zeroed (`secure_delete`), so the file keeps no copy of the
    /// rows it replaces in its free space; only for these jobs, as intake need not pay for it.
    func withSecureDelete<T>(_ work: () throws -> T) throws -> T {
        try execute(script: "PRAGMA secure_delete = ON")
        defer { try? execute(script: "PRAGMA secure_delete = OFF") }
        return try work()
    }
}

/// How many webhook endpoints exist and which keys sealed their secrets.
public struct WebhookSecretsState: Sendable, Equatable {
    public let endpoints: Int
    /// Sorted; empty while no secret is sealed.
    public let keyIDs: [String]

    public init(endpoints: Int, keyIDs: [String]) {
        self.endpoints = endpoints
        self.keyIDs = keyIDs
    }
}

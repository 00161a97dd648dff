extension Store {
    /// Seals, with `key`, every webhook secret still in clear (a database from before sealing), in
    /// one writer job that first refuses a key other than the one already sealed secrets name;
    /// then checkpoints and truncates the WAL so that it keeps no earlier copy of them.
    public func sealWebhookSecrets(with key: SecretsKey) async throws -> SecretsReport {
        let (sealed, endpoints) = try await writer.write { connection in
            try connection.requireSecretsKey(key.id)
            return try connection.withSecureDelete {
                var sealed = 0
                let rows = try connection.endpointSecrets()
                for row in rows {
                    let inClear = [row.secret, row.previous].compactMap { $0 }.filter { $0.keyID == nil }.count
                    guard inClear > 0 else { continue }
                    let secret = try Self.sealed(row.secret, with: key)
                    let previous = try row.previous.map { try Self.sealed($0, with: key) }
                    try connection.storeSealedSecrets(partnerID: row.partnerID, secret: secret, previous: previous)
                    sealed += inClear
                }
                return (sealed, rows.count)
            }
        }
        return SecretsReport(secrets: sealed, endpoints: endpoints, walTruncated: sealed > 0 && truncateWAL())
    }

    /// Opens every webhook secret with `current` and seals it again with `new`, in one writer job
    /// (a secret still in clear is sealed with `new` too); refuses, writing nothing, when any is
    /// sealed with another key than `current` or does not open. Then truncates the WAL.
    public func resealWebhookSecrets(from current: SecretsKey, to new: SecretsKey) async throws -> SecretsReport {
        let (resealed, endpoints) = try await writer.write { connection in
            try connection.requireSecretsKey(current.id)
            return try connection.withSecureDelete {
                let rows = try connection.endpointSecrets()
                var count = 0
                for row in rows {
                    let secret = try new.seal(current.reveal(row.secret, partner: row.partner))
                    let previous = try row.previous.map { try new.seal(current.reveal($0, partner: row.partner)) }
                    try connection.storeSealedSecrets(partnerID: row.partnerID, secret: secret, previous: previous)
                    count += previous == nil ? 1 : 2
                }
                return (count, rows.count)
            }
        }
        return SecretsReport(secrets: resealed, endpoints: endpoints, walTruncated: resealed > 0 && truncateWAL())
    }

    /// How many webhook endpoints exist and which keys sealed their secrets.
    public func webhookSecretsState() async throws -> WebhookSecretsState {
        try await read { try $0.webhookSecretsState() }
    }

    /// A secret sealed with `key`: one in clear is sealed, one already sealed (with `key`, as
    /// `requireSecretsKey` checked) is kept as it is.
    private static func sealed(_ stored: StoredSecret, with key: SecretsKey) throws -> SealedSecret {
        switch stored {
        case .clear(let secret): try key.seal(secret)
        case .sealed(let sealed): sealed
        }
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)` on the writer's connection, whatever the checkpoint policy,
    /// as erasure does: answers whether it completed (a replicator's read transaction can hold it).
    func truncateWAL() -> Bool {
        writer.queue.sync {
            writer.onQueue { connection in
                (try? connection.queryFirst("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int(0) == 0 }) ?? false
            }
        }
    }
}

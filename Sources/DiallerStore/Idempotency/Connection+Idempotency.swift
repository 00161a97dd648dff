extension Connection {
    /// The key's record if it was made after `since` (one made then or before is expired, purged or not).
    func idempotencyRecord(partnerID: Int64, key: String, since: Timestamp) throws -> IdempotencyRecord? {
        try queryFirst(
            """
            SELECT request_sha256, status, body, lead_ids FROM idempotency_keys
            WHERE partner_id = ? AND idempotency_key = ? AND created_at > ?
            """, .integer(partnerID), .text(key), .text(since.iso8601)
        ) { row in
            IdempotencyRecord(
                requestSHA256: row.text(0),
                response: RecordedResponse(
                    status: row.int(1), body: row.text(2),
                    leadIDs: row.text(3).split(separator: ",").compactMap { Int64($0) }))
        }
    }

    /// Records the answer to a claimed key in the caller's transaction. An expired record of the
    /// same key is replaced; an unexpired one (made after `since`) is kept and `IdempotencyKeyTaken`
    /// thrown, so the job's leads are not saved either.
    func recordIdempotency(_ claim: IdempotencyClaim, response: RecordedResponse, since: Timestamp, at now: Timestamp) throws {
        let changed = try execute(
            """
            INSERT INTO idempotency_keys(partner_id, idempotency_key, request_sha256, status, body, lead_ids, created_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT(partner_id, idempotency_key) DO UPDATE SET
                request_sha256 = excluded.request_sha256, status = excluded.status, body = excluded.body,
                lead_ids = excluded.lead_ids, created_at = excluded.created_at
            WHERE idempotency_keys.created_at <= ?8
            """, .integer(claim.partnerID), .text(claim.key), .text(claim.requestSHA256), .int(response.status),
            .text(response.body), .text(response.leadIDs.map(String.init).joined(separator: ",")),
            .text(now.iso8601), .text(since.iso8601))
        if changed == 0 { throw IdempotencyKeyTaken() }
    }

    /// Deletes up to `limit` records made at or before `cutoff`, oldest first; answers how many.
    func purgeIdempotencyKeys(before cutoff: Timestamp, limit: Int) throws -> Int {
        try execute(
            """
            DELETE FROM idempotency_keys WHERE rowid IN
                (SELECT rowid FROM idempotency_keys WHERE created_at <= ? ORDER BY created_at LIMIT ?)
            """, .text(cutoff.iso8601), .int(limit))
    }
}

extension Connection {
    // Recording, in the transaction of the change an event reports. Each is one statement that
    // writes nothing unless the lead's partner has an enabled endpoint subscribed to the event: the
    // join starts from `webhook_endpoints` (a handful of rows, looked up by primary key), so a
    // partner without webhooks costs one b-tree probe. No in-memory cache of endpoints: it would
    // have to notice `partners webhook` run by another process (`PRAGMA data_version`, ~7 µs a
    // look under load, see `KeyCache`), which costs more than the probe it saves.

    /// Reports a call that reached `done`; `reason` when the system finished it (`max_attempts`…);
    /// `result` and `success` are the last attempt's (null when the dialler sent no result).
    func recordCallFinished(callID: Int64, reason: String?, at now: Timestamp) throws {
        try execute(
            """
            INSERT INTO webhook_events(partner_id, type, lead_id, call_id, payload, created_at, queued_at, next_attempt_at)
            SELECT e.partner_id, 'call.finished', l.lead_id, k.call_id,
                   json_object('type', 'call.finished', 'timestamp', strftime('%Y-%m-%dT%H:%M:%SZ', ?2), 'data', json_patch(json_object(
                       'lead_id', l.lead_id, 'call_id', k.call_id, 'type', l.type, 'mobile', c.mobile,
                       'outcome', k.outcome, 'attempts', k.attempts, 'finished_at', strftime('%Y-%m-%dT%H:%M:%SZ', k.finished_at),
                       'occurred_at', strftime('%Y-%m-%dT%H:%M:%SZ', ?2), 'result', k.result,
                       'success', CASE k.success WHEN 1 THEN json('true') WHEN 0 THEN json('false') END), json_object('reason', ?3))),
                   ?2, ?2, ?2
            FROM calls k
            JOIN leads l ON l.lead_id = k.lead_id
            JOIN webhook_endpoints e ON e.partner_id = l.partner_id
            JOIN contacts c ON c.contact_id = k.contact_id
            WHERE k.call_id = ?1 AND e.disabled_at IS NULL AND instr(',' || e.events || ',', ',call.finished,') > 0
            """, .integer(callID), .text(now.iso8601), .text(reason))
    }

    /// Reports a call cancelled before it was dialled: `reason` is `partner`, `suppressed`, `erased`…
    func recordCallCancelled(callID: Int64, reason: String, at now: Timestamp) throws {
        try execute(
            """
            INSERT INTO webhook_events(partner_id, type, lead_id, call_id, payload, created_at, queued_at, next_attempt_at)
            SELECT e.partner_id, 'call.cancelled', l.lead_id, k.call_id,
                   json_object('type', 'call.cancelled', 'timestamp', strftime('%Y-%m-%dT%H:%M:%SZ', ?2), 'data', json_object(
                       'lead_id', l.lead_id, 'call_id', k.call_id, 'type', l.type, 'mobile', c.mobile, 'reason', ?3,
                       'occurred_at', strftime('%Y-%m-%dT%H:%M:%SZ', ?2))),
                   ?2, ?2, ?2
            FROM calls k
            JOIN leads l ON l.lead_id = k.lead_id
            JOIN webhook_endpoints e ON e.partner_id = l.partner_id
            JOIN contacts c ON c.contact_id = k.contact_id
            WHERE k.call_id = ?1 AND e.disabled_at IS NULL AND instr(',' || e.events || ',', ',call.cancelled,') > 0
            """, .integer(callID), .text(now.iso8601), .text(reason))
    }

    /// Reports a lead that answered `Do Not Call` at intake (it has no call).
    func recordLeadSuppressed(leadID: Int64, partnerID: Int64, type: String, mobile: String, at now: Timestamp) throws {
        try execute(
            """
            INSERT INTO webhook_events(partner_id, type, lead_id, payload, created_at, queued_at, next_attempt_at)
            SELECT e.partner_id, 'lead.suppressed', ?1,
                   json_object('type', 'lead.suppressed', 'timestamp', strftime('%Y-%m-%dT%H:%M:%SZ', ?5), 'data', json_object(
                       'lead_id', ?1, 'type', ?3, 'mobile', ?4, 'occurred_at', strftime('%Y-%m-%dT%H:%M:%SZ', ?5))),
                   ?5, ?5, ?5
            FROM webhook_endpoints e
            WHERE e.partner_id = ?2 AND e.disabled_at IS NULL AND instr(',' || e.events || ',', ',lead.suppressed,') > 0
            """, .integer(leadID), .integer(partnerID), .text(type), .text(mobile), .text(now.iso8601))
    }

    // Delivery.

    /// Up to `limit` of the partner's pending events due at `now`, oldest first.
    func dueOutboxEvents(partnerID: Int64, at now: Timestamp, limit: Int) throws -> [OutboxEvent] {
        try query(
            """
            SELECT event_id, partner_id, type, payload, attempts, queued_at FROM webhook_events
            WHERE partner_id = ? AND state = 'pending' AND next_attempt_at <= ? ORDER BY event_id LIMIT ?
            """, .integer(partnerID), .text(now.iso8601), .int(limit)
        ) { row in
            OutboxEvent(
                eventID: row.int64(0), partnerID: row.int64(1), type: row.text(2), payload: row.text(3),
                attempts: row.int(4), queuedAt: Timestamp(iso8601: row.text(5)) ?? Timestamp(milliseconds: 0))
        }
    }

    /// Records one attempt's result on a pending event (an event re-queued or purged meanwhile is left alone).
    func recordDeliveryAttempt(eventID: Int64, _ result: DeliveryAttemptResult, at now: Timestamp) throws {
        switch result {
        case .delivered(let status):
            try execute(
                """
                UPDATE webhook_events SET state = 'delivered', attempts = attempts + 1, last_status = ?, last_error = NULL,
                                          next_attempt_at = NULL, delivered_at = ?
                WHERE event_id = ? AND state = 'pending'
                """, .int(status), .text(now.iso8601), .integer(eventID))
        case .retry(let status, let error, let next):
            try execute(
                """
                UPDATE webhook_events SET attempts = attempts + 1, last_status = ?, last_error = ?, next_attempt_at = ?
                WHERE event_id = ? AND state = 'pending'
                """, .integer(status.map(Int64.init)), .text(error), .text(next.iso8601), .integer(eventID))
        case .failed(let status, let error):
            try execute(
                """
                UPDATE webhook_events SET state = 'failed', attempts = attempts + 1, last_status = ?, last_error = ?, next_attempt_at = NULL
                WHERE event_id = ? AND state = 'pending'
                """, .integer(status.map(Int64.init)), .text(error), .integer(eventID))
        }
    }

    /// Puts the partner's failed events back in the queue, due now, with a fresh 24 hours; answers how many.
    func requeueFailedEvents(partnerID: Int64, at now: Timestamp) throws -> Int {
        try execute(
            """
            UPDATE webhook_events SET state = 'pending', next_attempt_at = ?1, queued_at = ?1
            WHERE partner_id = ?2 AND state = 'failed'
            """, .text(now.iso8601), .integer(partnerID))
    }

    /// Deletes up to `limit` events delivered before `cutoff`; answers how many went.
    func purgeDeliveredEvents(before cutoff: Timestamp, limit: Int) throws -> Int {
        try execute(
            """
            DELETE FROM webhook_events WHERE event_id IN (
                SELECT event_id FROM webhook_events WHERE state = 'delivered' AND delivered_at < ? ORDER BY delivered_at LIMIT ?)
            """, .text(cutoff.iso8601), .int(limit))
    }

    func outboxBacklog() throws -> OutboxBacklog {
        try queryFirst(
            """
            SELECT (SELECT count(*) FROM webhook_events WHERE state = 'pending'),
                   (SELECT count(*) FROM webhook_events WHERE state = 'failed'),
                   (SELECT min(created_at) FROM webhook_events WHERE state = 'pending')
            """
        ) { row in
            OutboxBacklog(pending: row.int(0), failed: row.int(1), oldestPendingCreatedAt: row.optionalText(2).flatMap(Timestamp.init(iso8601:)))
        } ?? OutboxBacklog(pending: 0, failed: 0, oldestPendingCreatedAt: nil)
    }

    /// Blanks the mobile in the bodies of the events about a contact's leads (erasure reaches the outbox too).
    func eraseMobileInEvents(ofContact contactID: Int64) throws {
        try execute(
            """
            UPDATE webhook_events SET payload = json_set(payload, '$.data.mobile', 'erased')
            WHERE lead_id IN (SELECT lead_id FROM leads WHERE contact_id = ?) AND json_extract(payload, '$.data.mobile') <> 'erased'
            """, .integer(contactID))
    }

    /// Blanks the mobile in the bodies of the events about one lead.
    func eraseMobileInEvents(ofLead leadID: Int64) throws {
        try execute(
            """
            UPDATE webhook_events SET payload = json_set(payload, '$.data.mobile', 'erased')
            WHERE lead_id = ? AND json_extract(payload, '$.data.mobile') <> 'erased'
            """, .integer(leadID))
    }
}

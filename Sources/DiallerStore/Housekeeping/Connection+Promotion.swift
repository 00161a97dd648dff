extension Connection {
    /// Moves up to `limit` waiting calls whose due time has come into the call queue, earliest
    /// first; answers how many moved. The queue's primary key makes a second queueing impossible.
    /// (A call already due when its lead arrives never waits: `saveLead` queues it.)
    func promoteDueCalls(limit: Int, at now: Timestamp) throws -> Int {
        let due = try query(
            """
            UPDATE calls SET state = 'queued', queued_at = ?1
            WHERE call_id IN (SELECT call_id FROM calls WHERE state = 'waiting' AND due_at <= ?1 ORDER BY due_at LIMIT ?2)
            RETURNING call_id
            """, .text(now.iso8601), .int(limit)
        ) { $0.int64(0) }
        for callID in due {
            try enqueue(callID: callID, at: now)
        }
        return due.count
    }

    /// Returns calls whose dialler never answered (lease expired) to the queue; answers how many.
    func requeueExpiredLeases(limit: Int, at now: Timestamp) throws -> Int {
        let expired = try query(
            """
            UPDATE calls SET state = 'queued', queued_at = ?1, lease_expires_at = NULL, claimed_by = NULL
            WHERE call_id IN (SELECT call_id FROM calls WHERE state = 'dialling' AND lease_expires_at <= ?1 LIMIT ?2)
            RETURNING call_id
            """, .text(now.iso8601), .int(limit)
        ) { $0.int64(0) }
        for callID in expired {
            try enqueue(callID: callID, at: now)
            try closeAttempt(callID: callID, outcome: nil, abandoned: false, doNotCall: false, leaseExpired: true, at: now)
        }
        return expired.count
    }
}

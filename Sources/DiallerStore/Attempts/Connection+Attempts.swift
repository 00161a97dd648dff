extension Connection {
    /// Opens the attempt a claim makes; kept for ever.
    func openAttempt(callID: Int64, contactID: Int64, dialler: Int64, at now: Timestamp) throws {
        try execute("INSERT INTO call_attempts(call_id, contact_id, dialler_id, claimed_at) VALUES (?, ?, ?, ?)",
                    .integer(callID), .integer(contactID), .integer(dialler), .text(now.iso8601))
    }

    /// Closes the call's open attempt with the dialler's word on it.
    func closeAttempt(callID: Int64, outcome: String?, abandoned: Bool, doNotCall: Bool, leaseExpired: Bool, at now: Timestamp) throws {
        try execute("""
            UPDATE call_attempts SET finished_at = ?, outcome = ?, abandoned = ?, do_not_call = ?, lease_expired = ?
            WHERE attempt_id = (SELECT max(attempt_id) FROM call_attempts WHERE call_id = ?) AND finished_at IS NULL
            """, .text(now.iso8601), .text(outcome), .int(abandoned ? 1 : 0), .int(doNotCall ? 1 : 0), .int(leaseExpired ? 1 : 0),
            .integer(callID))
    }

    /// The hold on a number now, if any rule holds it: the later of the abandoned hold and the
    /// rolling daily cap wins, since the number may be called only once both have passed.
    func hold(onContact contactID: Int64, rules: ContactRules, at now: Timestamp) throws -> Hold? {
        var holds: [Hold] = []
        if let abandoned = try queryFirst("""
            SELECT max(coalesce(finished_at, claimed_at)) FROM call_attempts WHERE contact_id = ? AND abandoned = 1
            """, .integer(contactID), row: { $0.optionalText(0) }) ?? nil, let at = Timestamp(iso8601: abandoned) {
            let until = at.adding(seconds: rules.abandonedHoldSeconds)
            if until.milliseconds > now.milliseconds { holds.append(Hold(rule: .abandonedHold, until: until)) }
        }
        if let cap = rules.maxAttemptsPerNumberPerDay {
            let since = now.adding(seconds: -86_400).iso8601
            let recent = try query("""
                SELECT claimed_at FROM call_attempts WHERE contact_id = ? AND claimed_at > ? ORDER BY claimed_at LIMIT ?
                """, .integer(contactID), .text(since), .int(cap)) { $0.text(0) }
            if recent.count >= cap, let oldest = Timestamp(iso8601: recent[0]) {
                holds.append(Hold(rule: .dailyCap, until: oldest.adding(seconds: 86_400)))
            }
        }
        return holds.max { $0.until.milliseconds < $1.until.milliseconds }
    }
}

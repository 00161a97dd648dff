extension Connection {
    /// Opens the attempt a claim makes; kept for ever.
    func openAttempt(callID: Int64, contactID: Int64, dialler: Int64, at now: Timestamp) throws {
        try execute(
            "INSERT INTO call_attempts(call_id, contact_id, dialler_id, claimed_at) VALUES (?, ?, ?, ?)",
            .integer(callID), .integer(contactID), .integer(dialler), .text(now.iso8601))
    }

    /// Closes the call's open attempt with the dialler's word on it; `success` is kept only beside a result.
    func closeAttempt(
        callID: Int64, outcome: String?, abandoned: Bool, doNotCall: Bool, leaseExpired: Bool,
        result: Disposition? = nil, success: Bool = false, at now: Timestamp
    ) throws {
        try execute(
            """
            UPDATE call_attempts SET finished_at = ?, outcome = ?, abandoned = ?, do_not_call = ?, lease_expired = ?, result = ?, success = ?
            WHERE attempt_id = (SELECT max(attempt_id) FROM call_attempts WHERE call_id = ?) AND finished_at IS NULL
            """, .text(now.iso8601), .text(outcome), .int(abandoned ? 1 : 0), .int(doNotCall ? 1 : 0), .int(leaseExpired ? 1 : 0),
            .text(result?.rawValue), result == nil ? .null : .int(success ? 1 : 0), .integer(callID))
    }
}

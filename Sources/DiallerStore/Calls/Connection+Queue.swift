extension Connection {
    /// Takes the next queued call (earliest due, then oldest) for `callGroup` (any group when nil),
    /// moves it to `dialling` under a lease, and answers what the dialler needs.
    func claimNextCall(callGroup: String?, by dialler: Principal, lease seconds: Int, at now: Timestamp) throws -> ClaimedCall? {
        let callID: Int64?
        if let callGroup {
            callID = try queryFirst("SELECT call_id FROM call_queue WHERE call_group = ? ORDER BY due_at, call_id LIMIT 1",
                                    .text(callGroup)) { $0.int64(0) }
        } else {
            callID = try queryFirst("SELECT call_id FROM call_queue ORDER BY due_at, call_id LIMIT 1") { $0.int64(0) }
        }
        guard let callID else { return nil }
        let expires = now.adding(seconds: seconds)
        try execute("DELETE FROM call_queue WHERE call_id = ?", .integer(callID))
        try execute("""
            UPDATE calls SET state = 'dialling', claimed_at = ?, claimed_by = ?, lease_expires_at = ?, attempts = attempts + 1
            WHERE call_id = ?
            """, .text(now.iso8601), .integer(dialler.keyID), .text(expires.iso8601), .integer(callID))
        return try queryFirst("""
            SELECT k.call_id, k.lead_id, c.mobile, l.other_phone, l.first_name, l.surname, l.email,
                   t.name, l.subtype, k.call_group, l.data, k.attempts
            FROM calls k
            JOIN leads l ON l.lead_id = k.lead_id
            JOIN contacts c ON c.contact_id = k.contact_id
            JOIN lead_types t ON t.lead_type_id = k.lead_type_id
            WHERE k.call_id = ?
            """, .integer(callID)) { row in
            ClaimedCall(callID: row.int64(0), leadID: row.int64(1), mobile: row.text(2), otherPhone: row.optionalText(3),
                        firstName: row.text(4), surname: row.text(5), email: row.text(6), type: row.text(7),
                        subtype: row.optionalText(8), callGroup: row.text(9), data: row.optionalText(10),
                        attempt: row.int(11), leaseExpiresAt: expires)
        }
    }

    /// Records a dialler's result for a call that this same key is dialling (a dialler whose lease
    /// expired cannot finish the call another dialler has since claimed).
    func recordResult(callID: Int64, result: CallResult, by dialler: Principal, at now: Timestamp) throws -> CallState {
        let state = try queryFirst("SELECT state, lead_type_id, claimed_by FROM calls WHERE call_id = ?", .integer(callID)) {
            (state: CallState(rawValue: $0.text(0)) ?? .done, typeID: $0.int64(1), claimedBy: $0.optionalInt64(2))
        }
        guard let state else { throw CallResultRejection.noSuchCall }
        guard state.state == .dialling else { throw CallResultRejection.notDialling(state.state) }
        guard state.claimedBy == dialler.keyID else { throw CallResultRejection.claimedByAnotherDialler }
        switch result {
        case .finished(let outcome):
            try execute("""
                UPDATE calls SET state = 'done', finished_at = ?, outcome = ?, lease_expires_at = NULL, claimed_by = NULL
                WHERE call_id = ?
                """, .text(now.iso8601), .text(outcome), .integer(callID))
            return .done
        case .retry(let outcome, let seconds):
            let typeName = try queryFirst("SELECT name FROM lead_types WHERE lead_type_id = ?", .integer(state.typeID)) { $0.text(0) }
            let type = try typeName.flatMap { try leadType(named: $0) }
            let due = type?.dueTime(from: now, delay: seconds) ?? now.adding(seconds: seconds)
            try execute("""
                UPDATE calls SET state = 'waiting', due_at = ?, outcome = ?, lease_expires_at = NULL, claimed_by = NULL, queued_at = NULL
                WHERE call_id = ?
                """, .text(due.iso8601), .text(outcome), .integer(callID))
            return .waiting
        }
    }
}

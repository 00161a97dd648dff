extension Connection {
    /// Cancels the latest call for this mobile and type among `partner`'s own leads, if it has not
    /// reached a dialler yet.
    func cancelCall(type: String, mobile: String, partner: Principal, at now: Timestamp) throws -> CancelOutcome {
        guard let partnerID = partner.partnerID else { throw StoreError.notAPartnerKey }
        let found = try queryFirst(
            """
            SELECT k.call_id, k.state
            FROM calls k
            JOIN contacts c ON c.contact_id = k.contact_id
            JOIN lead_types t ON t.lead_type_id = k.lead_type_id
            JOIN leads l ON l.lead_id = k.lead_id
            WHERE c.mobile = ? AND t.name = ? AND l.partner_id = ?
            ORDER BY k.call_id DESC LIMIT 1
            """, .text(mobile), .text(type), .integer(partnerID)
        ) { (id: $0.int64(0), state: CallState(rawValue: $0.text(1))) }
        guard let found, let state = found.state else { return .notFound }
        guard state == .waiting || state == .queued else { return .alreadyProcessed(state) }
        do {
            try execute("DELETE FROM call_queue WHERE call_id = ?", .integer(found.id))
        } catch {
            throw CancelFailure.callGroup(underlying: error)
        }
        do {
            try execute(
                "UPDATE calls SET state = 'cancelled', finished_at = ?, outcome = 'cancelled by partner' WHERE call_id = ?",
                .text(now.iso8601), .integer(found.id))
            try recordCallCancelled(callID: found.id, reason: "partner", at: now)
        } catch {
            throw CancelFailure.save(underlying: error)
        }
        return .cancelled(callID: found.id)
    }
}

extension Connection {
    /// This partner's lead by id; nil when there is none or it is another partner's.
    func leadStatus(leadID: Int64, partnerID: Int64) throws -> LeadStatus? {
        try queryFirst(
            Self.leadStatusColumns + """
                FROM leads l LEFT JOIN calls k ON k.lead_id = l.lead_id
                WHERE l.lead_id = ? AND l.partner_id = ?
                """, .integer(leadID), .integer(partnerID), row: Self.leadStatus)
    }

    /// This partner's latest lead for the mobile (E.164) and type; nil when it sent none.
    func latestLeadStatus(type: String, mobile: String, partnerID: Int64) throws -> LeadStatus? {
        try queryFirst(
            Self.leadStatusColumns + """
                FROM contacts c JOIN leads l ON l.contact_id = c.contact_id LEFT JOIN calls k ON k.lead_id = l.lead_id
                WHERE c.mobile = ? AND l.type = ? AND l.partner_id = ?
                ORDER BY l.lead_id DESC LIMIT 1
                """, .text(mobile), .text(type), .integer(partnerID), row: Self.leadStatus)
    }

    private static let leadStatusColumns = """
        SELECT l.lead_id, strftime('%Y-%m-%dT%H:%M:%SZ', l.received_at), l.type, l.outcome,
               k.call_id, k.state, strftime('%Y-%m-%dT%H:%M:%SZ', k.due_at), k.attempts,
               strftime('%Y-%m-%dT%H:%M:%SZ', k.finished_at), k.outcome, k.result

        """

    private static func leadStatus(_ row: Row) -> LeadStatus {
        let call = row.optionalInt64(4).map { callID in
            CallStatus(
                callID: callID, state: row.text(5), dueAt: row.text(6), attempts: row.int(7),
                finishedAt: row.optionalText(8), outcome: row.optionalText(9), result: row.optionalText(10))
        }
        return LeadStatus(leadID: row.int64(0), receivedAt: row.text(1), type: row.text(2), outcome: row.text(3), call: call)
    }
}

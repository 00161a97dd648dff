extension Connection {
    /// Erases everything personal about the person with this mobile, in the caller's transaction:
    /// their leads' personal fields and consent evidence, their open calls (cancelled, outcome `erased`), and the
    /// number itself except on the suppression lists that hold it (unless `keepSuppression` is
    /// false). Deleted bytes are zeroed (`secure_delete`), so the file keeps no copy in free space.
    func eraseContact(mobile: String, keepSuppression: Bool, at now: Timestamp) throws -> ErasureReport {
        // Only for this job: zeroing freed space costs writes that intake need not pay.
        try execute(script: "PRAGMA secure_delete = ON")
        defer { try? execute(script: "PRAGMA secure_delete = OFF") }
        var removed = 0
        if !keepSuppression {
            removed = try execute("DELETE FROM suppressions WHERE mobile = ?", .text(mobile))
            try execute(
                """
                UPDATE suppression_lists SET numbers = (
                    SELECT count(*) FROM suppressions s WHERE s.list_id = suppression_lists.list_id AND s.generation = suppression_lists.generation)
                """)
        }
        let kept = try suppressionEntries(of: mobile).map(\.list)
        guard let contactID = try queryFirst("SELECT contact_id FROM contacts WHERE mobile = ?", .text(mobile), row: { $0.int64(0) }) else {
            return ErasureReport(contactFound: false, leadsErased: 0, callsCancelled: 0, suppressionListsKept: kept, suppressionsRemoved: removed)
        }
        let cancelled = try cancelOpenCalls(mobile: mobile, outcome: "erased", at: now)
        try eraseConsents(ofContact: contactID, at: now)
        let leads = try eraseLeads(ofContact: contactID, at: now)
        try eraseMobileInEvents(ofContact: contactID)
        try replaceMobile(ofContact: contactID, at: now)
        return ErasureReport(
            contactFound: true, leadsErased: leads, callsCancelled: cancelled.count,
            suppressionListsKept: kept, suppressionsRemoved: removed)
    }

    /// Blanks the personal fields of every lead of the contact not yet erased; answers how many.
    private func eraseLeads(ofContact contactID: Int64, at now: Timestamp) throws -> Int {
        try execute(
            """
            UPDATE leads SET first_name = '', surname = '', email = '', other_phone = NULL, other_phone_line_type = NULL,
                             data = NULL, raw_request = '', subtype = NULL, erased_at = ?
            WHERE contact_id = ? AND erased_at IS NULL
            """, .text(now.iso8601), .integer(contactID))
    }

    /// The contact's number becomes an opaque random placeholder (`+999…`, a code no country has),
    /// so its history stays joined and a later lead for the number starts a new contact.
    private func replaceMobile(ofContact contactID: Int64, at now: Timestamp) throws {
        for _ in 0..<8 {
            let placeholder = "+999" + String(format: "%012llu", UInt64.random(in: 0..<1_000_000_000_000))
            guard try queryFirst("SELECT 1 FROM contacts WHERE mobile = ?", .text(placeholder), row: { _ in true }) == nil else { continue }
            try execute(
                "UPDATE contacts SET mobile = ?, erased_at = ? WHERE contact_id = ?",
                .text(placeholder), .text(now.iso8601), .integer(contactID))
            return
        }
        throw StoreError.transactionAborted
    }

    /// One retention chunk: erases leads received before `cutoff` whose call is finished (or that
    /// made none), looking at no more than `window` lead ids after `cursor`; a contact with no
    /// unerased lead left and no open call loses its number too. Answers what it did and where
    /// the next chunk starts (nil once it reached leads newer than the cutoff: start again later).
    func eraseExpiredLeads(
        before cutoff: Timestamp, after cursor: Int64, window: Int64,
        at now: Timestamp
    ) throws -> (report: RetentionReport, next: Int64?) {
        try execute(script: "PRAGMA secure_delete = ON")
        defer { try? execute(script: "PRAGMA secure_delete = OFF") }
        let rows = try query(
            """
            SELECT l.lead_id, l.contact_id, l.received_at < ?1 AS expired,
                   l.erased_at IS NULL AND (k.call_id IS NULL OR k.state = 'done' OR k.state = 'cancelled') AS erasable
            FROM leads l LEFT JOIN calls k ON k.lead_id = l.lead_id
            WHERE l.lead_id > ?2 AND l.lead_id <= ?2 + ?3 ORDER BY l.lead_id
            """, .text(cutoff.iso8601), .integer(cursor), .integer(window)
        ) {
            (id: $0.int64(0), contact: $0.int64(1), expired: $0.int(2) == 1, erasable: $0.int(3) == 1)
        }
        var report = RetentionReport()
        var contacts = Set<Int64>()
        var reachedRecent = rows.isEmpty
        for row in rows {
            guard row.expired else {
                reachedRecent = true
                break
            }
            guard row.erasable else { continue }
            report.leadsErased += try execute(
                """
                UPDATE leads SET first_name = '', surname = '', email = '', other_phone = NULL, other_phone_line_type = NULL,
                                 data = NULL, raw_request = '', subtype = NULL, erased_at = ?
                WHERE lead_id = ?
                """, .text(now.iso8601), .integer(row.id))
            try eraseConsent(ofLead: row.id, at: now)
            try eraseMobileInEvents(ofLead: row.id)
            contacts.insert(row.contact)
        }
        for contact in contacts.sorted() {
            let remaining =
                try queryFirst(
                    """
                    SELECT (SELECT count(*) FROM leads WHERE contact_id = ?1 AND erased_at IS NULL)
                         + (SELECT count(*) FROM calls WHERE contact_id = ?1 AND (state = 'waiting' OR state = 'queued' OR state = 'dialling'))
                    """, .integer(contact)
                ) { $0.int(0) } ?? 1
            if remaining == 0,
                try queryFirst("SELECT erased_at IS NULL FROM contacts WHERE contact_id = ?", .integer(contact), row: { $0.int(0) == 1 }) == true
            {
                try replaceMobile(ofContact: contact, at: now)
                report.contactsErased += 1
            }
        }
        return (report, reachedRecent ? nil : (rows.last?.id ?? cursor))
    }
}

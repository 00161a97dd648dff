extension Connection {
    /// Saves a lead and decides its outcome, in the caller's transaction, so two submissions of
    /// the same mobile and type can never both be processed.
    func saveLead(_ lead: NewLead, from partner: Principal, at now: Timestamp) throws -> SavedLead {
        guard let partnerID = partner.partnerID else { throw StoreError.notAPartnerKey }
        let nowText = now.iso8601  // written three times below; formatting it is not free on the writer's thread
        let contactID = try contactID(mobile: lead.mobile, createdAt: nowText)
        let type = try leadType(named: lead.type)
        var outcome: LeadOutcome
        var suppressedBy: String?
        if let type, type.active, partner.maySubmit(type: type.name) {
            // After the type check and before de-duplication, as the contract orders them.
            suppressedBy = try suppressingList(of: lead.mobile)
            outcome = suppressedBy != nil ? .suppressed : try dedupeOutcome(contactID: contactID, type: type, at: now)
        } else {
            outcome = .unknownType
        }
        // Last: only a lead that would become a call counts against, or is stopped by, the cap.
        if outcome == .processed, let type {
            let day = LocalDay.containing(now, timeZone: type.timeZone)
            if try underDailyCap(partnerID: partnerID, typeID: type.id, day: day) {
                try countCall(partnerID: partnerID, typeID: type.id, day: day)
            } else {
                outcome = .dailyCap
            }
        }
        let leadID = try insert("""
            INSERT INTO leads(received_at, partner_id, key_id, type, lead_type_id, subtype, first_name, surname,
                              email, contact_id, other_phone, data, delays, outcome, raw_request)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(nowText), .integer(partnerID), .integer(partner.keyID), .text(lead.type),
            .integer(type?.id), .text(lead.subtype), .text(lead.firstName), .text(lead.surname), .text(lead.email),
            .integer(contactID), .text(lead.otherPhone), .text(lead.data), .integer(lead.delays.map(Int64.init)),
            .text(outcome.rawValue), .text(lead.rawRequest))
        if outcome == .suppressed {
            try recordLeadSuppressed(leadID: leadID, partnerID: partnerID, type: lead.type, mobile: lead.mobile, at: now)
        }
        guard outcome == .processed, let type else {
            return SavedLead(leadID: leadID, outcome: outcome, callID: nil, dueAt: nil, suppressedBy: suppressedBy)
        }
        let due = type.dueTime(from: now, delay: lead.delays)
        let callID = try insert("""
            INSERT INTO calls(lead_id, contact_id, lead_type_id, call_group, due_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """, .integer(leadID), .integer(contactID), .integer(type.id), .text(type.callGroup),
            .text(due.iso8601), .text(nowText))
        return SavedLead(leadID: leadID, outcome: .processed, callID: callID, dueAt: due)
    }

    /// The contact for an E.164 mobile, created on first sight (at `createdAt`, ISO-8601).
    func contactID(mobile: String, createdAt: String) throws -> Int64 {
        if let existing = try queryFirst("SELECT contact_id FROM contacts WHERE mobile = ?", .text(mobile), row: { $0.int64(0) }) {
            return existing
        }
        return try insert("INSERT INTO contacts(mobile, created_at) VALUES (?, ?)", .text(mobile), .text(createdAt))
    }

    /// `processed` unless an unfinished call, or one dialled to the end within the type's
    /// de-duplication window, exists for this contact and type. Cancelled calls count for neither.
    /// (States are compared with OR: SQLite builds a temporary b-tree for an IN list of three.)
    private func dedupeOutcome(contactID: Int64, type: LeadType, at now: Timestamp) throws -> LeadOutcome {
        let since = type.dedupeDays.map { Timestamp(milliseconds: now.milliseconds - Int64($0) * 86_400_000).iso8601 }
        let found = try queryFirst("""
            SELECT coalesce(max(state = 'waiting' OR state = 'queued' OR state = 'dialling'), 0),
                   coalesce(max(state = 'done' AND (?3 IS NULL OR finished_at >= ?3)), 0)
            FROM calls WHERE contact_id = ?1 AND lead_type_id = ?2 AND state <> 'cancelled'
            """, .integer(contactID), .integer(type.id), .text(since)) { (unfinished: $0.int(0) == 1, recent: $0.int(1) == 1) }!
        if found.unfinished { return .alreadyScheduled }
        if found.recent { return .existingContact }
        return .processed
    }
}

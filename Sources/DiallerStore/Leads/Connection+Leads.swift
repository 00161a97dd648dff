extension Connection {
    /// `saveLead`, with a refusal for consent as a value rather than a throw: a job that throws
    /// makes the writer run its whole batch again, one savepoint per job.
    func submission(_ lead: NewLead, from partner: Principal, at now: Timestamp) throws -> LeadSubmission {
        do {
            return .success(try saveLead(lead, from: partner, at: now))
        } catch let refusal as ConsentRefusal {
            return .failure(refusal)
        }
    }

    /// Saves a lead and decides its outcome, in the caller's transaction, so two submissions of
    /// the same mobile and type can never both be processed; a processed lead's call is queued
    /// at once when it is already due.
    func saveLead(_ lead: NewLead, from partner: Principal, at now: Timestamp) throws -> SavedLead {
        guard let partnerID = partner.partnerID else { throw StoreError.notAPartnerKey }
        let type = try leadType(named: lead.type)
        let known = type.flatMap { $0.active && partner.maySubmit(type: $0.name) ? $0 : nil }
        // Before anything is written: a refused lead is not saved (a batch's other leads are).
        if let known, let refusal = consentRefusal(lead.consent, type: known, at: now) { throw refusal }
        let nowText = now.iso8601  // written several times below; formatting it is not free on the writer's thread
        let contact = try contact(mobile: lead.mobile, lineType: lead.mobileLineType, createdAt: nowText)
        let contactID = contact.id
        var outcome: LeadOutcome
        var suppressedBy: String?
        var overrode: [String] = []
        if let known {
            if !known.accepts(lead.mobileLineType) {
                outcome = .lineTypeNotAccepted
            } else {
                // After the type checks and before de-duplication, as the contract orders them.
                let check = try suppressionCheck(of: lead.mobile, consented: lead.consent != nil)
                suppressedBy = check.blockedBy
                overrode = check.overridden
                // A contact made by this lead has no calls yet (contacts are never deleted, and
                // calls must reference one): nothing to de-duplicate against, one query saved.
                if suppressedBy != nil {
                    outcome = .suppressed
                } else {
                    outcome = contact.isNew ? .processed : try dedupeOutcome(contactID: contactID, type: known, at: now)
                }
            }
        } else {
            outcome = .unknownType
        }
        // Last: only a lead that would become a call counts against, or is stopped by, the cap.
        if outcome == .processed, let known {
            let day = LocalDay.containing(now, timeZone: known.timeZone)
            if try underDailyCap(partnerID: partnerID, typeID: known.id, day: day) {
                try countCall(partnerID: partnerID, typeID: known.id, day: day)
            } else {
                outcome = .dailyCap
            }
        }
        let leadID = try insert(
            """
            INSERT INTO leads(received_at, partner_id, key_id, type, lead_type_id, subtype, first_name, surname,
                              email, contact_id, other_phone, other_phone_line_type, data, delays, outcome, raw_request)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(nowText), .integer(partnerID), .integer(partner.keyID), .text(lead.type),
            .integer(type?.id), .text(lead.subtype), .text(lead.firstName), .text(lead.surname), .text(lead.email),
            .integer(contactID), .text(lead.otherPhone), .text(lead.otherPhoneLineType?.rawValue), .text(lead.data),
            .integer(lead.delays.map(Int64.init)), .text(outcome.rawValue), .text(lead.rawRequest))
        if outcome != .processed { overrode = [] }
        if let consent = lead.consent {
            try saveConsent(consent, leadID: leadID, overrode: overrode)
        }
        if outcome == .suppressed {
            try recordLeadSuppressed(leadID: leadID, partnerID: partnerID, type: lead.type, mobile: lead.mobile, at: now)
        }
        guard outcome == .processed, let known else {
            return SavedLead(leadID: leadID, outcome: outcome, callID: nil, dueAt: nil, suppressedBy: suppressedBy)
        }
        let due = known.dueTime(from: now, delay: lead.delays)
        // A call due at once is queued here, in the lead's own job, as promotion would queue it at
        // its next tick: a second write per lead saved. A call due later waits for promotion.
        let dueNow = due.milliseconds <= now.milliseconds
        let callID = try insert(
            """
            INSERT INTO calls(lead_id, contact_id, lead_type_id, call_group, due_at, created_at, state, queued_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, .integer(leadID), .integer(contactID), .integer(known.id), .text(known.callGroup),
            .text(due.iso8601), .text(nowText), .text(dueNow ? CallState.queued.rawValue : CallState.waiting.rawValue),
            .text(dueNow ? nowText : nil))
        if dueNow { try enqueue(callID: callID, at: now) }
        return SavedLead(leadID: leadID, outcome: .processed, callID: callID, dueAt: due, consentOverrode: overrode)
    }

    /// The contact for an E.164 mobile, created on first sight (at `createdAt`, ISO-8601) with its
    /// line type, and whether it was; a contact made before line types were kept gets this one.
    func contact(mobile: String, lineType: LineType, createdAt: String) throws -> (id: Int64, isNew: Bool) {
        if let existing = try queryFirst(
            "SELECT contact_id, line_type IS NULL FROM contacts WHERE mobile = ?", .text(mobile),
            row: { (id: $0.int64(0), unclassified: $0.int(1) == 1) })
        {
            if existing.unclassified {
                try execute("UPDATE contacts SET line_type = ? WHERE contact_id = ?", .text(lineType.rawValue), .integer(existing.id))
            }
            return (existing.id, false)
        }
        let id = try insert(
            "INSERT INTO contacts(mobile, line_type, created_at) VALUES (?, ?, ?)",
            .text(mobile), .text(lineType.rawValue), .text(createdAt))
        return (id, true)
    }

    /// `processed` unless an unfinished call, or one dialled to the end within the type's
    /// de-duplication window, exists for this contact and type. Cancelled calls count for neither.
    /// (States are compared with OR: SQLite builds a temporary b-tree for an IN list of three.)
    private func dedupeOutcome(contactID: Int64, type: LeadType, at now: Timestamp) throws -> LeadOutcome {
        let since = type.dedupeDays.map { Timestamp(milliseconds: now.milliseconds - Int64($0) * 86_400_000).iso8601 }
        let found = try queryFirst(
            """
            SELECT coalesce(max(state = 'waiting' OR state = 'queued' OR state = 'dialling'), 0),
                   coalesce(max(state = 'done' AND (?3 IS NULL OR finished_at >= ?3)), 0)
            FROM calls WHERE contact_id = ?1 AND lead_type_id = ?2 AND state <> 'cancelled'
            """, .integer(contactID), .integer(type.id), .text(since)
        ) { (unfinished: $0.int(0) == 1, recent: $0.int(1) == 1) }!
        if found.unfinished { return .alreadyScheduled }
        if found.recent { return .existingContact }
        return .processed
    }
}

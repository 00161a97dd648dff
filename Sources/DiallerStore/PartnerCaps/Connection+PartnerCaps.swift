extension Connection {
    /// Whether one more lead of this partner and type may become a call on `day`: true without a
    /// cap, otherwise while the day's count is below it. Read in the lead's own writer job, with
    /// the count it then increments, so concurrent leads can never pass the cap together.
    func underDailyCap(partnerID: Int64, typeID: Int64, day: LocalDay) throws -> Bool {
        let found = try queryFirst(
            """
            SELECT c.per_day,
                   coalesce((SELECT d.calls FROM partner_day_counts d
                             WHERE d.partner_id = ?1 AND d.lead_type_id = ?2 AND d.day = ?3), 0)
            FROM partner_caps c WHERE c.partner_id = ?1 AND c.lead_type_id = ?2
            """, .integer(partnerID), .integer(typeID), .text(day.day)
        ) { (cap: $0.int(0), used: $0.int(1)) }
        guard let found else { return true }
        return found.used < found.cap
    }

    /// Counts a lead of this partner and type that became a call on `day`.
    func countCall(partnerID: Int64, typeID: Int64, day: LocalDay) throws {
        try execute(
            """
            INSERT INTO partner_day_counts(partner_id, lead_type_id, day, starts_at, ends_at, calls) VALUES (?, ?, ?, ?, ?, 1)
            ON CONFLICT (partner_id, lead_type_id, day) DO UPDATE SET calls = calls + 1
            """, .integer(partnerID), .integer(typeID), .text(day.day), .text(day.startsAt.iso8601), .text(day.endsAt.iso8601))
    }

    /// Sets (or, with nil, lifts) a partner's daily cap for a type; the next lead is judged by it.
    func setDailyCap(partner: String, type: String, perDay: Int?, at now: Timestamp) throws -> PartnerCap {
        guard let partnerID = try queryFirst("SELECT partner_id FROM partners WHERE name = ?", .text(partner), row: { $0.int64(0) }) else {
            throw PartnerCapRefusal.noSuchPartner(partner)
        }
        guard let leadType = try leadType(named: type) else { throw PartnerCapRefusal.noSuchType(type) }
        if let perDay {
            try execute(
                """
                INSERT INTO partner_caps(partner_id, lead_type_id, per_day, updated_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (partner_id, lead_type_id) DO UPDATE SET per_day = ?3, updated_at = ?4
                """, .integer(partnerID), .integer(leadType.id), .int(perDay), .text(now.iso8601))
        } else {
            try execute("DELETE FROM partner_caps WHERE partner_id = ? AND lead_type_id = ?", .integer(partnerID), .integer(leadType.id))
        }
        let day = LocalDay.containing(now, timeZone: leadType.timeZone)
        let used =
            try queryFirst(
                """
                SELECT calls FROM partner_day_counts WHERE partner_id = ? AND lead_type_id = ? AND day = ?
                """, .integer(partnerID), .integer(leadType.id), .text(day.day)
            ) { $0.int(0) } ?? 0
        return PartnerCap(partner: partner, type: leadType.name, perDay: perDay, usedToday: used, day: day.day)
    }

    /// Checks every cap a migration may have seeded, naming the first bad one.
    func validatePartnerCaps() throws {
        // Before migration 0010 (the promise runs after every migration) there are no caps.
        guard try hasColumn("per_day", in: "partner_caps") else { return }
        let bad = try queryFirst(
            """
            SELECT p.name, t.name, c.per_day FROM partner_caps c
            JOIN partners p ON p.partner_id = c.partner_id JOIN lead_types t ON t.lead_type_id = c.lead_type_id
            WHERE c.per_day < 0 ORDER BY p.name, t.name LIMIT 1
            """
        ) { (partner: $0.text(0), type: $0.text(1), perDay: $0.int(2)) }
        if let bad {
            throw StoreError.invalidPartnerCap(
                partner: bad.partner, type: bad.type,
                reason: "per_day must be 0 or more, got \(bad.perDay)")
        }
    }
}

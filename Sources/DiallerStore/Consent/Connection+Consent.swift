extension Connection {
    /// Why a lead of `type` may not be saved with `consent` at `now`; nil when it may.
    func consentRefusal(_ consent: NewConsent?, type: LeadType, at now: Timestamp) -> ConsentRefusal? {
        guard type.requiresConsent else { return nil }
        guard let consent else { return .missing }
        let oldest = now.milliseconds - Int64(type.consentMaxAgeDays) * 86_400_000
        return consent.givenAt.milliseconds < oldest ? .tooOld(maxAgeDays: type.consentMaxAgeDays) : nil
    }

    /// The lead's consent row, with the do-not-call lists it let the lead's call past.
    func saveConsent(_ consent: NewConsent, leadID: Int64, overrode: [String]) throws {
        try execute(
            """
            INSERT INTO consents(lead_id, given_at, source, wording, ip, certificate, overrode_lists) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, .integer(leadID), .text(consent.givenAt.iso8601), .text(consent.source), .text(consent.wording),
            .text(consent.ip), .text(consent.certificate), .text(overrode.isEmpty ? nil : overrode.joined(separator: ",")))
    }

    /// Blanks the evidence of the consents of every lead of the contact not yet erased (their
    /// times and the lists they overrode stay, as the leads' outcomes do).
    func eraseConsents(ofContact contactID: Int64, at now: Timestamp) throws {
        try execute(
            """
            UPDATE consents SET source = '', wording = NULL, ip = NULL, certificate = NULL, erased_at = ?
            WHERE lead_id IN (SELECT lead_id FROM leads WHERE contact_id = ?) AND erased_at IS NULL
            """, .text(now.iso8601), .integer(contactID))
    }

    /// `eraseConsents` for one lead, as retention erases leads one by one.
    func eraseConsent(ofLead leadID: Int64, at now: Timestamp) throws {
        try execute(
            """
            UPDATE consents SET source = '', wording = NULL, ip = NULL, certificate = NULL, erased_at = ?
            WHERE lead_id = ? AND erased_at IS NULL
            """, .text(now.iso8601), .integer(leadID))
    }

    /// The lists the consent of the call's lead has let it past so far; nil when the lead has no consent.
    func consentOverrodeLists(callID: Int64) throws -> [String]? {
        try queryFirst(
            "SELECT n.overrode_lists FROM calls k JOIN consents n ON n.lead_id = k.lead_id WHERE k.call_id = ?",
            .integer(callID), row: { row in (row.optionalText(0) ?? "").split(separator: ",").map(String.init) })
    }

    /// Records the lists the consent of the call's lead has let it past.
    func recordConsentOverrode(_ lists: [String], callID: Int64) throws {
        try execute(
            "UPDATE consents SET overrode_lists = ? WHERE lead_id = (SELECT lead_id FROM calls WHERE call_id = ?)",
            .text(lists.joined(separator: ",")), .integer(callID))
    }
}

extension Store {
    /// Saves a valid lead and decides its outcome in one writer job; returns after the commit.
    /// Throws `ConsentRefusal` when the lead's type refuses it for its consent (nothing is saved).
    public func submitLead(_ lead: NewLead, from partner: Principal) async throws -> SavedLead {
        let clock = self.clock
        return try await writer.write { try $0.submission(lead, from: partner, at: clock.now()) }.get()
    }

    /// Saves valid leads in order, all in one writer job; returns after the commit. A lead its
    /// type refuses for its consent is not saved and answers `.failure`; the others are.
    public func submitLeads(_ leads: [NewLead], from partner: Principal) async throws -> [LeadSubmission] {
        let clock = self.clock
        return try await writer.write { connection in
            let now = clock.now()
            return try leads.map { try connection.submission($0, from: partner, at: now) }
        }
    }

    /// A partner's own lead by id, read on a reader; nil for none or another partner's.
    public func leadStatus(leadID: Int64, partner: Principal) async throws -> LeadStatus? {
        guard let partnerID = partner.partnerID else { throw StoreError.notAPartnerKey }
        return try await read { try $0.leadStatus(leadID: leadID, partnerID: partnerID) }
    }

    /// A partner's latest lead for the mobile (E.164) and type, read on a reader.
    public func latestLeadStatus(type: String, mobile: String, partner: Principal) async throws -> LeadStatus? {
        guard let partnerID = partner.partnerID else { throw StoreError.notAPartnerKey }
        return try await read { try $0.latestLeadStatus(type: type, mobile: mobile, partnerID: partnerID) }
    }
}

extension Store {
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

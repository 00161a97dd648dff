extension Store {
    /// Sets or lifts a partner's daily cap for a lead type in one writer job; the next lead of
    /// that partner and type is judged by it. Throws `PartnerCapRefusal` for an unknown name.
    public func setDailyCap(partner: String, type: String, perDay: Int?) async throws -> PartnerCap {
        let clock = self.clock
        return try await writer.write { try $0.setDailyCap(partner: partner, type: type, perDay: perDay, at: clock.now()) }
    }
}

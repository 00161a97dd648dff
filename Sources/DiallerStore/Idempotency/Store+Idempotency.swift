extension Store {
    /// The moment a record made then (or before) is expired: a record lives exactly the retention.
    func idempotencyCutoff(at now: Timestamp) -> Timestamp {
        now.adding(seconds: -configuration.idempotencyHours * 3_600)
    }

    /// This partner's unexpired record of `key`, if any, read on a reader.
    public func idempotencyRecord(partnerID: Int64, key: String) async throws -> IdempotencyRecord? {
        let since = idempotencyCutoff(at: clock.now())
        return try await read { try $0.idempotencyRecord(partnerID: partnerID, key: key, since: since) }
    }

    /// Saves valid leads in order and records the answer `respond` makes of them under `claim`,
    /// all in one writer job: the leads and the record are committed together or not at all.
    /// Throws `IdempotencyKeyTaken` (nothing saved) when the key got an unexpired record meanwhile.
    public func submitLeads(
        _ leads: [NewLead], from partner: Principal, recording claim: IdempotencyClaim,
        respond: @escaping @Sendable ([LeadSubmission]) -> RecordedResponse
    ) async throws -> (saved: [LeadSubmission], response: RecordedResponse) {
        let clock = self.clock
        return try await writer.write { connection in
            let now = clock.now()
            let saved = try leads.map { try connection.submission($0, from: partner, at: now) }
            let response = respond(saved)
            try connection.recordIdempotency(claim, response: response, since: self.idempotencyCutoff(at: now), at: now)
            return (saved, response)
        }
    }

    /// One lead, as `submitLeads(_:from:recording:respond:)`, except that a lead refused for its
    /// consent throws `ConsentRefusal` and records nothing: like any `400`, a repeat is checked again.
    public func submitLead(
        _ lead: NewLead, from partner: Principal, recording claim: IdempotencyClaim,
        respond: @escaping @Sendable (SavedLead) -> RecordedResponse
    ) async throws -> (saved: SavedLead, response: RecordedResponse) {
        let clock = self.clock
        return try await writer.write { connection -> Result<(saved: SavedLead, response: RecordedResponse), ConsentRefusal> in
            let now = clock.now()
            switch try connection.submission(lead, from: partner, at: now) {
            case .failure(let refusal):
                return .failure(refusal)
            case .success(let saved):
                let response = respond(saved)
                try connection.recordIdempotency(claim, response: response, since: self.idempotencyCutoff(at: now), at: now)
                return .success((saved, response))
            }
        }.get()
    }
}

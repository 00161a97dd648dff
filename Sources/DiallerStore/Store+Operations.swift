extension Store {
    /// The principal behind an unrevoked key, found by the key's hash on the calling thread
    /// (see `KeyCache`: revocation by anyone takes effect on the next request).
    public func authenticate(key: String) throws -> Principal? {
        try keys.principal(keyHash: APIKey.hash(key))
    }

    /// Saves a valid lead and decides its outcome in one writer job; returns after the commit.
    public func submitLead(_ lead: NewLead, from partner: Principal) async throws -> SavedLead {
        let clock = self.clock
        return try await writer.write { try $0.saveLead(lead, from: partner, at: clock.now()) }
    }

    /// Saves valid leads in order, all in one writer job; returns after the commit.
    public func submitLeads(_ leads: [NewLead], from partner: Principal) async throws -> [SavedLead] {
        let clock = self.clock
        return try await writer.write { connection in
            let now = clock.now()
            return try leads.map { try connection.saveLead($0, from: partner, at: now) }
        }
    }

    /// Cancels this partner's latest call for the mobile and type, if not yet dialled.
    public func cancelCall(type: String, mobile: String, partner: Principal) async throws -> CancelOutcome {
        let clock = self.clock
        return try await writer.write { try $0.cancelCall(type: type, mobile: mobile, partner: partner, at: clock.now()) }
    }

    /// Hands the next callable queued call to a dialler (none when the queue is empty), passing
    /// over suppressed and held numbers.
    public func claimNextCall(callGroup: String?, by dialler: Principal) async throws -> ClaimReport {
        let clock = self.clock, lease = configuration.leaseSeconds, rules = configuration.contactRules
        return try await writer.write {
            try $0.claimNextCall(callGroup: callGroup, by: dialler, lease: lease, rules: rules, at: clock.now())
        }
    }

    /// Records a dialler's result; throws `CallResultRejection` when the call is not being dialled.
    public func recordResult(callID: Int64, result: CallResult, by dialler: Principal) async throws -> ResultOutcome {
        let clock = self.clock
        return try await writer.write { try $0.recordResult(callID: callID, result: result, by: dialler, at: clock.now()) }
    }

    /// Creates a key and answers it: the only time the key itself exists outside its holder.
    public func createKey(role: KeyRole, name: String, allowedTypes: [String]? = nil) async throws -> (id: Int64, key: String) {
        let key = APIKey.generate(role: role)
        let hash = APIKey.hash(key)
        let clock = self.clock
        let id = try await writer.write {
            try $0.insertKey(role: role, name: name, allowedTypes: allowedTypes, hash: hash, at: clock.now())
        }
        return (id, key)
    }

    public func listKeys() async throws -> [KeyRecord] {
        try await read { try $0.listKeys() }
    }

    /// Revokes a key at once; answers false when there is no such unrevoked key.
    public func revokeKey(id: Int64) async throws -> Bool {
        let clock = self.clock
        let revoked = try await writer.write { try $0.revokeKey(id: id, at: clock.now()) }
        keys.invalidate()
        return revoked
    }
}

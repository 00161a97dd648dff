extension Store {
    /// Cancels this partner's latest call for the mobile and type, if not yet dialled.
    public func cancelCall(type: String, mobile: String, partner: Principal) async throws -> CancelOutcome {
        let clock = self.clock
        return try await writer.write { try $0.cancelCall(type: type, mobile: mobile, partner: partner, at: clock.now()) }
    }

    /// Hands the next callable queued call to a dialler (none when the queue is empty), passing
    /// over suppressed and held numbers, and the calls of the groups in `excluding`.
    public func claimNextCall(callGroup: String?, excluding: Set<String> = [], by dialler: Principal) async throws -> ClaimReport {
        let clock = self.clock
        let lease = configuration.leaseSeconds
        let rules = configuration.contactRules
        return try await writer.write {
            try $0.claimNextCall(callGroup: callGroup, excluding: excluding, by: dialler, lease: lease, rules: rules, at: clock.now())
        }
    }

    /// Records a dialler's result; throws `CallResultRejection` when the call is not being dialled.
    /// Once it has committed, the result counts in the in-memory abandoned-call rate as well.
    public func recordResult(callID: Int64, result: CallResult, by dialler: Principal) async throws -> ResultOutcome {
        let clock = self.clock
        let (outcome, at) = try await writer.write { connection in
            let now = clock.now()
            return (try connection.recordResult(callID: callID, result: result, by: dialler, at: now), now)
        }
        if let disposition = result.result, disposition.isLive {
            abandonRates.add(callGroup: outcome.callGroup, minute: at.minute, live: 1, abandoned: disposition == .abandoned ? 1 : 0)
        }
        return outcome
    }

    /// Counts per call group and the promotion lag, from a reader.
    public func queueSnapshot() async throws -> QueueSnapshot {
        let clock = self.clock
        return try await read { try $0.queueSnapshot(at: clock.now()) }
    }
}

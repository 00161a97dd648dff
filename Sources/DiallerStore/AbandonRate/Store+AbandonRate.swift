extension Store {
    /// The call group's abandoned-call rate over the last 24 hours, from memory (no SQL).
    public func abandonRate(callGroup: String) -> AbandonRate {
        abandonRates.rate(callGroup: callGroup, at: clock.now())
    }

    /// Every call group's rate that has had live calls, from memory.
    public func allAbandonRates() -> [AbandonRate] {
        abandonRates.all(at: clock.now())
    }

    /// Seconds until the group's rate, as it stands, falls below `limit` or its sample below
    /// `minLive` by old calls leaving the window; nil when it is below already.
    public func secondsUntilAbandonRateBelow(callGroup: String, limit: Double, minLive: Int) -> Int? {
        abandonRates.secondsUntilBelow(callGroup: callGroup, limit: limit, minLive: minLive, at: clock.now())
    }

    /// Each group's rate summed by SQL from the counter rows, as the `abandon_rate_report` view does
    /// (for checking the in-memory copy against the database).
    public func abandonRatesFromCounters() async throws -> [AbandonRate] {
        let now = clock.now()
        return try await read { try $0.abandonRatesFromCounters(at: now) }
    }
}

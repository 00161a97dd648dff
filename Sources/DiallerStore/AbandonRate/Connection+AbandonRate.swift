extension Connection {
    /// Counts one result in its call group's minute, in the result's own transaction.
    func countResult(callGroup: String, result: Disposition?, at now: Timestamp) throws {
        let live = result?.isLive == true ? 1 : 0
        let abandoned = result == .abandoned ? 1 : 0
        let unreported = result == nil ? 1 : 0
        try execute(
            """
            INSERT INTO abandon_rate_minutes(call_group, minute, live, abandoned, unreported) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (call_group, minute) DO UPDATE SET live = live + excluded.live, abandoned = abandoned + excluded.abandoned,
                                                           unreported = unreported + excluded.unreported
            """, .text(callGroup), .text(Timestamp(minute: now.minute).iso8601), .int(live), .int(abandoned), .int(unreported))
    }

    /// The counter rows of the window at `now` that hold live calls, in minute order.
    func abandonRateMinutes(at now: Timestamp) throws -> [(callGroup: String, minute: Int64, live: Int, abandoned: Int)] {
        let first = Timestamp(minute: now.minute - AbandonRate.windowMinutes + 1)
        return try query(
            """
            SELECT call_group, minute, live, abandoned FROM abandon_rate_minutes
            WHERE minute >= ? AND minute <= ? AND live > 0 ORDER BY minute
            """, .text(first.iso8601), .text(now.iso8601)
        ) { row in
            (callGroup: row.text(0), minute: (Timestamp(iso8601: row.text(1)) ?? first).minute, live: row.int(2), abandoned: row.int(3))
        }
    }

    /// Each group's rate at `now` summed from the counters by SQL (what the view shows).
    func abandonRatesFromCounters(at now: Timestamp) throws -> [AbandonRate] {
        let first = Timestamp(minute: now.minute - AbandonRate.windowMinutes + 1)
        return try query(
            """
            SELECT call_group, sum(live), sum(abandoned) FROM abandon_rate_minutes
            WHERE minute >= ? AND minute <= ? GROUP BY call_group HAVING sum(live) > 0 ORDER BY call_group
            """, .text(first.iso8601), .text(now.iso8601)
        ) { AbandonRate(callGroup: $0.text(0), live: $0.int(1), abandoned: $0.int(2)) }
    }
}

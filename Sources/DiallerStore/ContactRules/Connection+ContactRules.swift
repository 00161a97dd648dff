extension Connection {
    /// The hold on a number now, if any rule holds it: the later of the abandoned hold and the
    /// rolling daily cap wins, since the number may be called only once both have passed.
    func hold(onContact contactID: Int64, rules: ContactRules, at now: Timestamp) throws -> Hold? {
        var holds: [Hold] = []
        if let abandoned = try queryFirst(
            """
            SELECT max(coalesce(finished_at, claimed_at)) FROM call_attempts WHERE contact_id = ? AND abandoned = 1
            """, .integer(contactID), row: { $0.optionalText(0) }) ?? nil, let at = Timestamp(iso8601: abandoned)
        {
            let until = at.adding(seconds: rules.abandonedHoldSeconds)
            if until.milliseconds > now.milliseconds { holds.append(Hold(rule: .abandonedHold, until: until)) }
        }
        if let cap = rules.maxAttemptsPerNumberPerDay {
            let since = now.adding(seconds: -86_400).iso8601
            let recent = try query(
                """
                SELECT claimed_at FROM call_attempts WHERE contact_id = ? AND claimed_at > ? ORDER BY claimed_at LIMIT ?
                """, .integer(contactID), .text(since), .int(cap)
            ) { $0.text(0) }
            if recent.count >= cap, let oldest = Timestamp(iso8601: recent[0]) {
                holds.append(Hold(rule: .dailyCap, until: oldest.adding(seconds: 86_400)))
            }
        }
        return holds.max { $0.until.milliseconds < $1.until.milliseconds }
    }
}

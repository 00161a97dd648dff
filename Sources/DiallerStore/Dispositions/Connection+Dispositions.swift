extension Connection {
    /// The rule for this type's calls ending with `result`, if an administrator wrote one.
    func recyclingRule(type: String, result: Disposition) throws -> RecyclingRule? {
        try queryFirst(
            "SELECT retry_after_seconds, max_retries FROM recycling_rules WHERE type = ? AND result = ?",
            .text(type), .text(result.rawValue)
        ) {
            RecyclingRule(type: type, result: result, retryAfterSeconds: $0.int(0), maxRetries: $0.int(1))
        }
    }

    /// How many of the call's attempts ended with `result` (a handful of rows, by the call's index).
    func attempts(ofCall callID: Int64, endingWith result: Disposition) throws -> Int {
        try queryFirst(
            "SELECT count(*) FROM call_attempts WHERE call_id = ? AND result = ?",
            .integer(callID), .text(result.rawValue)
        ) { $0.int(0) } ?? 0
    }

    /// Every rule, by type and result.
    func recyclingRules() throws -> [RecyclingRule] {
        guard try hasTable("recycling_rules") else { return [] }
        return try query("SELECT type, result, retry_after_seconds, max_retries FROM recycling_rules ORDER BY type, result") { row in
            RecyclingRule(
                type: row.text(0), result: Disposition(rawValue: row.text(1)) ?? .failed,
                retryAfterSeconds: row.int(2), maxRetries: row.int(3))
        }
    }

    /// Checks every row of `recycling_rules` (run inside every migration's transaction and by the
    /// CLI): the first bad row is named, so a seed file's mistake says which line to fix.
    func validateRecyclingRules() throws {
        guard try hasTable("recycling_rules") else { return }
        let rows = try query(
            """
            SELECT r.type, r.result, r.retry_after_seconds, r.max_retries, t.lead_type_id IS NOT NULL
            FROM recycling_rules r LEFT JOIN lead_types t ON t.name = r.type ORDER BY r.rowid
            """
        ) { (type: $0.text(0), result: $0.text(1), delay: $0.int(2), max: $0.int(3), known: $0.int(4) == 1) }
        for row in rows {
            if let reason = Self.problem(typeKnown: row.known, type: row.type, result: row.result, delay: row.delay, maxRetries: row.max) {
                throw StoreError.invalidRecyclingRule(type: row.type, result: row.result, reason: reason)
            }
        }
    }

    /// What is wrong with a rule, or nil.
    static func problem(typeKnown: Bool, type: String, result: String, delay: Int, maxRetries: Int) -> String? {
        if !typeKnown { return "no lead type is named \"\(type)\"" }
        if Disposition(rawValue: result) == nil { return "the result must be one of \(Disposition.listed)" }
        if delay < 0 { return "retry_after_seconds must be no less than 0, got \(delay)" }
        if delay > RecyclingRule.maxRetryAfterSeconds {
            return "retry_after_seconds must be no greater than \(RecyclingRule.maxRetryAfterSeconds), got \(delay)"
        }
        if maxRetries < 0 { return "max_retries must be no less than 0, got \(maxRetries)" }
        return nil
    }

    /// Adds or replaces a rule after checking it as a migration would.
    func setRecyclingRule(type: String, result: String, retryAfterSeconds: Int, maxRetries: Int) throws {
        let known = try queryFirst("SELECT 1 FROM lead_types WHERE name = ?", .text(type)) { _ in true } ?? false
        if let reason = Self.problem(typeKnown: known, type: type, result: result, delay: retryAfterSeconds, maxRetries: maxRetries) {
            throw StoreError.invalidRecyclingRule(type: type, result: result, reason: reason)
        }
        try execute(
            """
            INSERT INTO recycling_rules(type, result, retry_after_seconds, max_retries) VALUES (?, ?, ?, ?)
            ON CONFLICT (type, result) DO UPDATE SET retry_after_seconds = excluded.retry_after_seconds, max_retries = excluded.max_retries
            """, .text(type), .text(result), .int(retryAfterSeconds), .int(maxRetries))
    }

    /// Removes a rule; false when there was none.
    func removeRecyclingRule(type: String, result: String) throws -> Bool {
        try execute("DELETE FROM recycling_rules WHERE type = ? AND result = ?", .text(type), .text(result)) > 0
    }

    private func hasTable(_ name: String) throws -> Bool {
        try queryFirst("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", .text(name)) { _ in true } ?? false
    }
}

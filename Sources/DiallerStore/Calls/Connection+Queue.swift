extension Connection {
    /// Most queued calls one claim passes over (suppressed or held) before answering; what it
    /// passes over has left the queue, so the next claim starts further on.
    static let claimSkipLimit = 100

    /// Takes the next queued call (in the dialling order, see `nextQueued`) for `callGroup` (any group when nil),
    /// moves it to `dialling` under a lease, opens its attempt, and answers what the dialler needs.
    /// A queued call whose number is suppressed is cancelled, and one whose number a contact rule
    /// holds goes back to waiting until the hold ends, whatever put it in the queue.
    /// Calls of the groups in `excluding` (paused by the abandoned-call guard) are passed over in place.
    func claimNextCall(
        callGroup: String?, excluding: Set<String> = [], by dialler: Principal, lease seconds: Int,
        rules: ContactRules, at now: Timestamp
    ) throws -> ClaimReport {
        var cancelled = 0
        var held: [HoldRule] = []
        for _ in 0..<Self.claimSkipLimit {
            guard let candidate = try nextQueued(callGroup: callGroup, excluding: excluding) else { break }
            if try suppressionStops(callID: candidate.callID, mobile: candidate.mobile) {
                try cancel(callID: candidate.callID, outcome: "suppressed", at: now)
                cancelled += 1
                continue
            }
            if let hold = try hold(onContact: candidate.contactID, rules: rules, at: now) {
                try holdBack(candidate, hold: hold)
                held.append(hold.rule)
                continue
            }
            let call = try claim(candidate, by: dialler, lease: seconds, at: now)
            let delay = candidate.firstAttempt ? Timestamp(iso8601: candidate.dueAt).map { Double(now.milliseconds - $0.milliseconds) / 1000 } : nil
            return ClaimReport(call: call, cancelledSuppressed: cancelled, held: held, firstClaimDelaySeconds: delay)
        }
        return ClaimReport(call: nil, cancelledSuppressed: cancelled, held: held, firstClaimDelaySeconds: nil)
    }

    /// The head of the queue with what the claim checks need, in the dialling order the queue's
    /// indexes hold (`call_queue_dialling_order` per group, `call_queue_global_order` across
    /// groups): priority, higher first; first attempts before retries; `sort_key` (the due time,
    /// negated for first attempts of newest-first types); `call_id`. One index seek, no sort.
    /// Calls of the groups in `excluding` (paused by the abandoned-call guard) are passed over in place.
    private func nextQueued(callGroup: String?, excluding: Set<String>) throws -> QueuedCandidate? {
        let map: (Row) -> QueuedCandidate = {
            QueuedCandidate(
                callID: $0.int64(0), contactID: $0.int64(1), mobile: $0.text(2), typeID: $0.int64(3),
                dueAt: $0.text(4), firstAttempt: $0.int(5) == 1)
        }
        if let callGroup { return try queryFirst(Self.nextInGroupSQL, .text(callGroup), row: map) }
        if !excluding.isEmpty {
            // The paused groups are named in one text between unit separators (U+001F, which no
            // group name holds), so one cached statement serves any set.
            let groups = "\u{1F}" + excluding.sorted().joined(separator: "\u{1F}") + "\u{1F}"
            return try queryFirst(Self.nextInUnpausedGroupsSQL, .text(groups), row: map)
        }
        return try queryFirst(Self.nextInAnyGroupSQL, row: map)
    }

    /// The head of one call group's queue (a test pins its plan: one seek, no sort).
    static let nextInGroupSQL = """
        SELECT q.call_id, k.contact_id, c.mobile, k.lead_type_id, k.due_at, q.first_attempt
        FROM call_queue q JOIN calls k ON k.call_id = q.call_id JOIN contacts c ON c.contact_id = k.contact_id
        WHERE q.call_group = ? ORDER BY q.priority DESC, q.first_attempt DESC, q.sort_key, q.call_id LIMIT 1
        """

    /// The head of the whole queue, across call groups (a test pins its plan: one seek, no sort).
    static let nextInAnyGroupSQL = """
        SELECT q.call_id, k.contact_id, c.mobile, k.lead_type_id, k.due_at, q.first_attempt
        FROM call_queue q JOIN calls k ON k.call_id = q.call_id JOIN contacts c ON c.contact_id = k.contact_id
        ORDER BY q.priority DESC, q.first_attempt DESC, q.sort_key, q.call_id LIMIT 1
        """

    /// The head of the whole queue but for the paused groups' calls: the head of each other group
    /// (the groups found by a skip-scan of the group index, one seek each; the head, one seek
    /// each), the first of those in the dialling order. Walking the global order past a paused
    /// group's calls instead cost a row lookup per call passed, on every claim. (A test pins its plan.)
    static let nextInUnpausedGroupsSQL = """
        WITH RECURSIVE groups(name) AS (
            SELECT (SELECT min(call_group) FROM call_queue)
            UNION ALL
            SELECT (SELECT min(call_group) FROM call_queue WHERE call_group > groups.name) FROM groups WHERE groups.name IS NOT NULL
        ),
        heads(call_id) AS (
            SELECT (SELECT q.call_id FROM call_queue q WHERE q.call_group = groups.name
                    ORDER BY q.priority DESC, q.first_attempt DESC, q.sort_key, q.call_id LIMIT 1)
            FROM groups WHERE groups.name IS NOT NULL AND instr(?1, char(31) || groups.name || char(31)) = 0
        )
        SELECT q.call_id, k.contact_id, c.mobile, k.lead_type_id, k.due_at, q.first_attempt
        FROM heads h JOIN call_queue q ON q.call_id = h.call_id JOIN calls k ON k.call_id = q.call_id
        JOIN contacts c ON c.contact_id = k.contact_id
        ORDER BY q.priority DESC, q.first_attempt DESC, q.sort_key, q.call_id LIMIT 1
        """

    /// Puts a call that is now `queued` into the call queue, its place in the dialling order taken
    /// from its type (priority, fresh order) and its attempts so far.
    func enqueue(callID: Int64, at now: Timestamp) throws {
        try execute(
            """
            INSERT INTO call_queue(call_id, call_group, due_at, queued_at, lead_type_id, priority, first_attempt, sort_key)
            SELECT k.call_id, k.call_group, k.due_at, ?2, k.lead_type_id, t.priority, k.attempts = 0,
                   CASE WHEN k.attempts = 0 AND t.fresh_order = 'newest' THEN -1 ELSE 1 END
                   * (CAST(strftime('%s', k.due_at) AS INTEGER) * 1000 + CAST(substr(k.due_at, 21, 3) AS INTEGER))
            FROM calls k JOIN lead_types t ON t.lead_type_id = k.lead_type_id
            WHERE k.call_id = ?1
            """, .integer(callID), .text(now.iso8601))
    }

    /// Back to waiting, due when the hold ends (moved into the type's window), the rule recorded
    /// for supervisors; promotion queues it again by itself.
    private func holdBack(_ call: QueuedCandidate, hold: Hold) throws {
        let type = try leadType(id: call.typeID)
        let due = type?.window?.earliestOpening(atOrAfter: hold.until) ?? hold.until
        try execute("DELETE FROM call_queue WHERE call_id = ?", .integer(call.callID))
        try execute(
            """
            UPDATE calls SET state = 'waiting', due_at = ?, queued_at = NULL, held_by = ?, held_until = ? WHERE call_id = ?
            """, .text(due.iso8601), .text(hold.rule.rawValue), .text(hold.until.iso8601), .integer(call.callID))
    }

    private func claim(_ candidate: QueuedCandidate, by dialler: Principal, lease seconds: Int, at now: Timestamp) throws -> ClaimedCall? {
        let callID = candidate.callID
        let expires = now.adding(seconds: seconds)
        try execute("DELETE FROM call_queue WHERE call_id = ?", .integer(callID))
        try execute(
            """
            UPDATE calls SET state = 'dialling', claimed_at = ?1, claimed_by = ?2, lease_expires_at = ?3, attempts = attempts + 1,
                             held_by = NULL, held_until = NULL,
                             first_claimed_at = coalesce(first_claimed_at, ?1),
                             first_due_at = CASE WHEN first_claimed_at IS NULL THEN ?4 ELSE first_due_at END
            WHERE call_id = ?5
            """, .text(now.iso8601), .integer(dialler.keyID), .text(expires.iso8601), .text(candidate.dueAt), .integer(callID))
        try openAttempt(callID: callID, contactID: candidate.contactID, dialler: dialler.keyID, at: now)
        return try queryFirst(
            """
            SELECT k.call_id, k.lead_id, c.mobile, l.other_phone, l.first_name, l.surname, l.email,
                   t.name, l.subtype, k.call_group, l.data, k.attempts
            FROM calls k
            JOIN leads l ON l.lead_id = k.lead_id
            JOIN contacts c ON c.contact_id = k.contact_id
            JOIN lead_types t ON t.lead_type_id = k.lead_type_id
            WHERE k.call_id = ?
            """, .integer(callID)
        ) { row in
            ClaimedCall(
                callID: row.int64(0), leadID: row.int64(1), mobile: row.text(2), otherPhone: row.optionalText(3),
                firstName: row.text(4), surname: row.text(5), email: row.text(6), type: row.text(7),
                subtype: row.optionalText(8), callGroup: row.text(9), data: row.optionalText(10),
                attempt: row.int(11), leaseExpiresAt: expires)
        }
    }

    /// Records a dialler's result for a call that this same key is dialling (a dialler whose lease
    /// expired cannot finish the call another dialler has since claimed), closing its attempt and
    /// counting it in its group's abandoned-call counters. Without a `retry_in`, the type's
    /// recycling rule for the result (if any) decides. A retry finishes the call instead when the
    /// person asked not to be called, the number is suppressed, the rule's retries are spent or the
    /// type's `max_attempts` is reached; a shorter retry than the type's `min_retry_seconds` is raised to it.
    func recordResult(callID: Int64, result: CallResult, by dialler: Principal, at now: Timestamp) throws -> ResultOutcome {
        let found = try queryFirst(
            """
            SELECT k.state, k.lead_type_id, k.claimed_by, k.attempts, c.mobile, k.call_group
            FROM calls k JOIN contacts c ON c.contact_id = k.contact_id WHERE k.call_id = ?
            """, .integer(callID)
        ) {
            (
                state: CallState(rawValue: $0.text(0)) ?? .done, typeID: $0.int64(1), claimedBy: $0.optionalInt64(2),
                attempts: $0.int(3), mobile: $0.text(4), callGroup: $0.text(5)
            )
        }
        guard let found else { throw CallResultRejection.noSuchCall }
        guard found.state == .dialling else { throw CallResultRejection.notDialling(found.state) }
        guard found.claimedBy == dialler.keyID else { throw CallResultRejection.claimedByAnotherDialler }
        try closeAttempt(
            callID: callID, outcome: result.outcome, abandoned: result.abandoned, doNotCall: result.doNotCall,
            leaseExpired: false, result: result.result, success: result.success, at: now)
        try execute(
            "UPDATE calls SET result = ?, success = ? WHERE call_id = ?",
            .text(result.result?.rawValue), result.result == nil ? .null : .int(result.success ? 1 : 0), .integer(callID))
        try countResult(callGroup: found.callGroup, result: result.result, at: now)
        var cancelled: [Int64] = []
        if result.doNotCall {
            // A disposition never undoes a do-not-call request: the number is listed before anything else.
            cancelled = try suppress(mobile: found.mobile, list: internalSuppressionList, reason: "call \(callID)", at: now).cancelledCalls
        }
        func outcome(_ state: CallState, reason: String? = nil, due: Timestamp? = nil, rule: Disposition? = nil) -> ResultOutcome {
            ResultOutcome(state: state, reason: reason, cancelledCalls: cancelled, dueAt: due, rule: rule, callGroup: found.callGroup)
        }
        let type = try leadType(id: found.typeID)
        var retry = result.retryAfterSeconds
        var rule: RecyclingRule?
        if retry == nil, let disposition = result.result, let typeName = type?.name {
            rule = try recyclingRule(type: typeName, result: disposition)
            retry = rule?.retryAfterSeconds
        }
        guard let retry else {
            try finish(callID: callID, outcome: result.outcome, reason: nil, at: now)
            return outcome(.done)
        }
        let reason: String? =
            if result.doNotCall {
                "do_not_call"
            } else if try suppressionStops(callID: callID, mobile: found.mobile) {
                "suppressed"
            } else if let rule, try attempts(ofCall: callID, endingWith: rule.result) > rule.maxRetries {
                "recycle_limit"
            } else if let max = type?.maxAttempts, found.attempts >= max {
                "max_attempts"
            } else {
                nil
            }
        if let reason {
            try finish(callID: callID, outcome: result.outcome, reason: reason, at: now)
            return outcome(.done, reason: reason, rule: rule?.result)
        }
        let seconds = max(retry, type?.minRetrySeconds ?? 0)
        let due = type?.dueTime(from: now, delay: seconds) ?? now.adding(seconds: seconds)
        try execute(
            """
            UPDATE calls SET state = 'waiting', due_at = ?, outcome = ?, lease_expires_at = NULL, claimed_by = NULL, queued_at = NULL
            WHERE call_id = ?
            """, .text(due.iso8601), .text(result.outcome), .integer(callID))
        return outcome(.waiting, due: due, rule: rule?.result)
    }

    /// Moves the call to `done` and reports it to its partner's webhook, in the same transaction.
    private func finish(callID: Int64, outcome: String, reason: String?, at now: Timestamp) throws {
        try execute(
            """
            UPDATE calls SET state = 'done', finished_at = ?, outcome = ?, lease_expires_at = NULL, claimed_by = NULL
            WHERE call_id = ?
            """, .text(now.iso8601), .text(outcome), .integer(callID))
        try recordCallFinished(callID: callID, reason: reason, at: now)
    }
}

/// A queued call at the head of the queue, with what a claim checks and records.
private struct QueuedCandidate {
    let callID: Int64
    let contactID: Int64
    let mobile: String
    let typeID: Int64
    /// The call's due time (what it was queued with: nothing moves it while queued).
    let dueAt: String
    /// No attempt has been made yet: this claim is the call's first.
    let firstAttempt: Bool
}

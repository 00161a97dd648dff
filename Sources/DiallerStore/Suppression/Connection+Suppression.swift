extension Connection {
    /// What the visible lists holding `mobile` say of a lead: the first list (by name) that stops
    /// it, or nil; and, when a consented lead goes ahead, the lists marked `consent_overrides` it
    /// goes past. Lists marked so stop only leads without consent. The one lookup intake and
    /// claims make, through the index on mobile.
    func suppressionCheck(of mobile: String, consented: Bool) throws -> (blockedBy: String?, overridden: [String]) {
        // Aggregates rather than ORDER BY … LIMIT 1: they need no temporary b-tree, which SQLite
        // builds for the ORDER BY on every run (~3 µs a lead on the writer, measured).
        let found = try queryFirst(
            """
            SELECT min(CASE WHEN l.consent_overrides = 0 THEN l.name END), min(l.name),
                   group_concat(CASE WHEN l.consent_overrides = 1 THEN l.name END)
            FROM suppressions s
            JOIN suppression_lists l ON l.list_id = s.list_id AND l.generation = s.generation
            WHERE s.mobile = ?
            """, .text(mobile)
        ) { (stopping: $0.optionalText(0), first: $0.optionalText(1), overridable: $0.optionalText(2)) }
        guard let found, let first = found.first else { return (nil, []) }
        guard consented else { return (first, []) }
        if let stopping = found.stopping { return (stopping, []) }
        return (nil, (found.overridable ?? "").split(separator: ",").map(String.init).sorted())
    }

    /// Whether the lists holding `mobile` stop this call now (at a claim or a retry). A call that
    /// goes past lists marked `consent_overrides` on its lead's consent has them added to the
    /// consent's `overrode_lists`, so the views show every call that went ahead on consent.
    func suppressionStops(callID: Int64, mobile: String) throws -> Bool {
        let check = try suppressionCheck(of: mobile, consented: true)
        if check.blockedBy != nil { return true }
        if check.overridden.isEmpty { return false }
        guard let recorded = try consentOverrodeLists(callID: callID) else { return true }
        let lists = Set(recorded).union(check.overridden).sorted()
        if lists != recorded.sorted() { try recordConsentOverrode(lists, callID: callID) }
        return false
    }

    /// Sets whether a list's numbers may be called when the lead carries consent (PECR regulation
    /// 21 allows it for TPS and CTPS). Never for `internal`: those people objected to us.
    func setConsentOverrides(list name: String, _ on: Bool) throws {
        guard name != internalSuppressionList else { throw SuppressionListRefusal.internalList }
        guard try execute("UPDATE suppression_lists SET consent_overrides = ? WHERE name = ?", .int(on ? 1 : 0), .text(name)) > 0 else {
            throw SuppressionListRefusal.noSuchList(name)
        }
    }

    /// Every visible list holding `mobile`, with why and since when.
    func suppressionEntries(of mobile: String) throws -> [SuppressionEntry] {
        try query(
            """
            SELECT l.name, s.reason, s.added_at FROM suppressions s
            JOIN suppression_lists l ON l.list_id = s.list_id AND l.generation = s.generation
            WHERE s.mobile = ? ORDER BY l.name
            """, .text(mobile)
        ) { row in
            SuppressionEntry(list: row.text(0), reason: row.optionalText(1), addedAt: Timestamp(iso8601: row.text(2)) ?? Timestamp(milliseconds: 0))
        }
    }

    func suppressionLists() throws -> [SuppressionList] {
        try query("SELECT name, numbers, loaded_at, created_at, consent_overrides FROM suppression_lists ORDER BY name") { row in
            SuppressionList(
                name: row.text(0), numbers: row.int(1), loadedAt: row.optionalText(2).flatMap(Timestamp.init(iso8601:)),
                createdAt: Timestamp(iso8601: row.text(3)) ?? Timestamp(milliseconds: 0), consentOverrides: row.int(4) == 1)
        }
    }

    /// The list's id and visible generation, creating the list when `create` and it is new.
    func suppressionList(named name: String, create: Bool, at now: Timestamp) throws -> (id: Int64, generation: Int64)? {
        if let found = try queryFirst(
            "SELECT list_id, generation FROM suppression_lists WHERE name = ?", .text(name),
            row: {
                (id: $0.int64(0), generation: $0.int64(1))
            })
        {
            return found
        }
        guard create else { return nil }
        let id = try insert("INSERT INTO suppression_lists(name, created_at) VALUES (?, ?)", .text(name), .text(now.iso8601))
        return (id, 1)
    }

    /// Puts `mobile` on the list (created if new) and cancels the number's waiting and queued
    /// calls, in the caller's transaction: the suppression and the cancels it causes are one.
    func suppress(mobile: String, list name: String, reason: String?, at now: Timestamp) throws -> SuppressionChange {
        guard let list = try suppressionList(named: name, create: true, at: now) else { throw StoreError.closed }
        let added =
            try execute(
                """
                INSERT OR IGNORE INTO suppressions(list_id, generation, mobile, reason, added_at) VALUES (?, ?, ?, ?, ?)
                """, .integer(list.id), .integer(list.generation), .text(mobile), .text(reason), .text(now.iso8601)) > 0
        if added { try execute("UPDATE suppression_lists SET numbers = numbers + 1 WHERE list_id = ?", .integer(list.id)) }
        let cancelled = try cancelOpenCalls(mobile: mobile, outcome: "suppressed", sparingConsented: consentOverrides(listID: list.id), at: now)
        return SuppressionChange(added: added, cancelledCalls: cancelled)
    }

    /// Takes `mobile` off the list; answers whether it was there. Cancelled calls stay cancelled.
    func unsuppress(mobile: String, list name: String) throws -> Bool {
        guard let list = try suppressionList(named: name, create: false, at: Timestamp(milliseconds: 0)) else { return false }
        let removed =
            try execute(
                "DELETE FROM suppressions WHERE list_id = ? AND generation = ? AND mobile = ?",
                .integer(list.id), .integer(list.generation), .text(mobile)) > 0
        if removed { try execute("UPDATE suppression_lists SET numbers = numbers - 1 WHERE list_id = ?", .integer(list.id)) }
        return removed
    }

    /// Whether the list is marked `consent_overrides`.
    func consentOverrides(listID: Int64) throws -> Bool {
        try queryFirst("SELECT consent_overrides FROM suppression_lists WHERE list_id = ?", .integer(listID), row: { $0.int(0) == 1 }) ?? false
    }

    /// Cancels the waiting and queued calls to `mobile` (a call being dialled is left to finish);
    /// with `sparingConsented` (a list marked `consent_overrides`), not those whose lead carries consent.
    func cancelOpenCalls(mobile: String, outcome: String, sparingConsented: Bool = false, at now: Timestamp) throws -> [Int64] {
        let open = try query(
            """
            SELECT k.call_id FROM contacts c JOIN calls k ON k.contact_id = c.contact_id
            WHERE c.mobile = ? AND (k.state = 'waiting' OR k.state = 'queued')
              AND (? = 0 OR NOT EXISTS (SELECT 1 FROM consents n WHERE n.lead_id = k.lead_id))
            """, .text(mobile), .int(sparingConsented ? 1 : 0)
        ) { $0.int64(0) }
        for callID in open { try cancel(callID: callID, outcome: outcome, at: now) }
        return open
    }

    /// Moves one waiting or queued call to `cancelled` and out of the queue, and reports it to its
    /// partner's webhook with the outcome (`suppressed`, `erased`) as the reason.
    func cancel(callID: Int64, outcome: String, at now: Timestamp) throws {
        try execute("DELETE FROM call_queue WHERE call_id = ?", .integer(callID))
        try execute(
            """
            UPDATE calls SET state = 'cancelled', finished_at = ?, outcome = ?, held_by = NULL, held_until = NULL WHERE call_id = ?
            """, .text(now.iso8601), .text(outcome), .integer(callID))
        try recordCallCancelled(callID: callID, reason: outcome, at: now)
    }

    /// Adds one chunk of an import to `generation` of the list. When that generation is visible
    /// (an adding import), the numbers' open calls are cancelled in the same transaction.
    func importSuppressions(
        _ mobiles: [String], listID: Int64, generation: Int64, visible: Bool, reason: String?,
        at now: Timestamp
    ) throws -> ImportChunkReport {
        let nowText = now.iso8601
        let sparing = visible ? try consentOverrides(listID: listID) : false
        var added = 0
        var cancelled = 0
        for mobile in mobiles {
            let inserted = try execute(
                """
                INSERT OR IGNORE INTO suppressions(list_id, generation, mobile, reason, added_at) VALUES (?, ?, ?, ?, ?)
                """, .integer(listID), .integer(generation), .text(mobile), .text(reason), .text(nowText))
            guard inserted > 0 else { continue }
            added += 1
            if visible {
                cancelled += try cancelOpenCalls(mobile: mobile, outcome: "suppressed", sparingConsented: sparing, at: now).count
            }
        }
        if visible {
            try execute("UPDATE suppression_lists SET numbers = numbers + ? WHERE list_id = ?", .int(added), .integer(listID))
        }
        return ImportChunkReport(added: added, cancelledCalls: cancelled)
    }

    /// What a replacing import's switch needs, read before it (on a reader, holding no lock): the
    /// new generation's size, and the calls its numbers may cancel. Calls are numbered in order
    /// and a finished or cancelled call never reopens, so a call numbered up to `lastCallID` that
    /// the switch could cancel is waiting, queued or being dialled now (a dialled call may go back
    /// to the queue); those whose number is on the new generation are the candidates.
    package func replacementPlan(_ target: ReplaceTarget) throws -> ReplacementPlan {
        let lastCallID = try queryFirst("SELECT max(call_id) FROM calls") { $0.optionalInt64(0) } ?? nil
        let numbers =
            try queryFirst(
                "SELECT count(*) FROM suppressions WHERE list_id = ? AND generation = ?",
                .integer(target.listID), .integer(target.generation)
            ) { $0.int(0) } ?? 0
        // The open calls by their own indexes (the partial ones on waiting and dialling calls, the
        // queue), never a scan of every call ever made.
        let candidates = try query(
            """
            SELECT k.call_id FROM calls k JOIN contacts c ON c.contact_id = k.contact_id
            WHERE k.call_id IN (SELECT call_id FROM calls WHERE state = 'waiting'
                                UNION ALL SELECT call_id FROM call_queue
                                UNION ALL SELECT call_id FROM calls WHERE state = 'dialling')
              AND EXISTS (SELECT 1 FROM suppressions s WHERE s.list_id = ? AND s.generation = ? AND s.mobile = c.mobile)
            """, .integer(target.listID), .integer(target.generation)
        ) { $0.int64(0) }
        return ReplacementPlan(numbers: numbers, lastCallID: lastCallID ?? 0, candidates: candidates)
    }

    /// Makes a replacing import's generation the visible list and cancels the open calls of every
    /// number on it, in one transaction: intake and diallers see the old list or the new, never
    /// half. Short whatever the list's size: it looks only at the plan's candidates and the calls
    /// made since the plan was read.
    package func finishReplace(_ target: ReplaceTarget, plan: ReplacementPlan, at now: Timestamp) throws -> Int {
        try execute(
            "UPDATE suppression_lists SET generation = ?, numbers = ?, loaded_at = ? WHERE list_id = ?",
            .integer(target.generation), .int(plan.numbers), .text(now.iso8601), .integer(target.listID))
        // A list marked consent_overrides spares the calls whose lead carries consent.
        let sparing = try consentOverrides(listID: target.listID) ? 1 : 0
        var open: [Int64] = []
        for callID in plan.candidates {
            let stillOpen =
                try queryFirst(
                    """
                    SELECT 1 FROM calls k WHERE k.call_id = ? AND (k.state = 'waiting' OR k.state = 'queued')
                      AND (? = 0 OR NOT EXISTS (SELECT 1 FROM consents n WHERE n.lead_id = k.lead_id))
                    """, .integer(callID), .int(sparing), row: { _ in true }) ?? false
            if stillOpen { open.append(callID) }
        }
        open += try query(
            """
            SELECT k.call_id FROM calls k JOIN contacts c ON c.contact_id = k.contact_id
            WHERE k.call_id > ? AND (k.state = 'waiting' OR k.state = 'queued')
              AND EXISTS (SELECT 1 FROM suppressions s WHERE s.list_id = ? AND s.generation = ? AND s.mobile = c.mobile)
              AND (? = 0 OR NOT EXISTS (SELECT 1 FROM consents n WHERE n.lead_id = k.lead_id))
            """, .integer(plan.lastCallID), .integer(target.listID), .integer(target.generation), .int(sparing)
        ) { $0.int64(0) }
        for callID in open { try cancel(callID: callID, outcome: "suppressed", at: now) }
        return open.count
    }

    /// Deletes up to `limit` rows of one of the list's generations other than the visible one
    /// (a replaced list, or what a failed import left); answers how many went, 0 when none is left.
    /// Each chunk is a range of the key, found by seeks: a `LIMIT`ed subquery in `IN` made SQLite
    /// look at every row of the generation for each chunk (seconds a chunk on a 10-million list,
    /// with the write lock held, measured).
    package func purgeHiddenSuppressions(listID: Int64, limit: Int) throws -> Int {
        guard let visible = try queryFirst("SELECT generation FROM suppression_lists WHERE list_id = ?", .integer(listID), row: { $0.int64(0) })
        else { return 0 }
        // Below the visible generation lie replaced lists, above it what a failed replacing import left.
        let hidden =
            try queryFirst(
                "SELECT generation FROM suppressions WHERE list_id = ? AND generation < ? LIMIT 1",
                .integer(listID), .integer(visible), row: { $0.int64(0) })
            ?? queryFirst(
                "SELECT generation FROM suppressions WHERE list_id = ? AND generation > ? LIMIT 1",
                .integer(listID), .integer(visible), row: { $0.int64(0) })
        guard let hidden else { return 0 }
        let last = try queryFirst(
            """
            SELECT mobile FROM suppressions WHERE list_id = ? AND generation = ? ORDER BY mobile LIMIT 1 OFFSET ?
            """, .integer(listID), .integer(hidden), .int(limit - 1), row: { $0.text(0) })
        guard let last else {
            return try execute("DELETE FROM suppressions WHERE list_id = ? AND generation = ?", .integer(listID), .integer(hidden))
        }
        return try execute(
            "DELETE FROM suppressions WHERE list_id = ? AND generation = ? AND mobile <= ?",
            .integer(listID), .integer(hidden), .text(last))
    }
}

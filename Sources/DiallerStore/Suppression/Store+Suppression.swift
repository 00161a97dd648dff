extension Store {
    /// Puts a number on a list (created if new) and cancels its waiting and queued calls, in one job.
    public func suppress(mobile: String, list: String = internalSuppressionList, reason: String?) async throws -> SuppressionChange {
        let clock = self.clock
        return try await writer.write { try $0.suppress(mobile: mobile, list: list, reason: reason, at: clock.now()) }
    }

    /// Takes a number off a list; answers whether it was on it.
    public func unsuppress(mobile: String, list: String = internalSuppressionList) async throws -> Bool {
        try await writer.write { try $0.unsuppress(mobile: mobile, list: list) }
    }

    /// Every list that holds the number now.
    public func suppressionEntries(of mobile: String) async throws -> [SuppressionEntry] {
        try await read { try $0.suppressionEntries(of: mobile) }
    }

    /// Marks a list as one that a lead's consent overrides, or not; throws `SuppressionListRefusal`.
    public func setConsentOverrides(list: String, _ on: Bool) async throws {
        try await writer.write { try $0.setConsentOverrides(list: list, on) }
    }

    public func suppressionLists() async throws -> [SuppressionList] {
        try await read { try $0.suppressionLists() }
    }

    /// The list's id and visible generation, for an import that adds to it (created if new).
    public func beginAdding(to list: String) async throws -> ReplaceTarget {
        let clock = self.clock
        return try await writer.write { connection in
            guard let found = try connection.suppressionList(named: list, create: true, at: clock.now()) else { throw StoreError.closed }
            return ReplaceTarget(listID: found.id, generation: found.generation)
        }
    }

    /// A hidden generation for a replacing import (the list created if new); what an earlier
    /// failed import left is purged first. One replacing import of a list at a time.
    public func beginReplacing(_ list: String) async throws -> ReplaceTarget {
        let visible = try await beginAdding(to: list)
        try await purgeHiddenSuppressions(listID: visible.listID)
        return ReplaceTarget(listID: visible.listID, generation: visible.generation + 1)
    }

    /// One chunk of an import, in one job; `visible` when adding to the list in sight.
    public func importSuppressions(
        _ mobiles: [String], into target: ReplaceTarget, visible: Bool,
        reason: String?
    ) async throws -> ImportChunkReport {
        let clock = self.clock
        return try await pacedWrite {
            try $0.importSuppressions(
                mobiles, listID: target.listID, generation: target.generation, visible: visible,
                reason: reason, at: clock.now())
        }
    }

    /// Marks an adding import complete: the list's `loaded_at` is now.
    public func finishAdding(_ target: ReplaceTarget) async throws {
        let clock = self.clock
        try await writer.write {
            try $0.execute("UPDATE suppression_lists SET loaded_at = ? WHERE list_id = ?", .text(clock.now().iso8601), .integer(target.listID))
        }
    }

    /// Makes a replacing import's generation the list, cancels the calls it suppresses, then
    /// deletes the old generation in chunks; answers the calls cancelled.
    public func finishReplacing(_ target: ReplaceTarget) async throws -> Int {
        let clock = self.clock
        let plan = try await read { try $0.replacementPlan(target) }
        let cancelled = try await writer.write { try $0.finishReplace(target, plan: plan, at: clock.now()) }
        try await purgeHiddenSuppressions(listID: target.listID)
        return cancelled
    }

    /// Deletes a list's hidden generations, a paced chunk per job so that intake waits behind none for long.
    func purgeHiddenSuppressions(listID: Int64, chunk: Int = 5_000) async throws {
        while try await pacedWrite({ try $0.purgeHiddenSuppressions(listID: listID, limit: chunk) }) > 0 {}
    }
}

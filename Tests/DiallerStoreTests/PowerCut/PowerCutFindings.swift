import DiallerStore

/// What the store holds after a power cut that contradicts what its callers were told.
struct PowerCutFindings: CustomStringConvertible, Sendable {
    /// The store would not open on what the disk held.
    var openFailure: String?
    /// `PRAGMA integrity_check` and `foreign_key_check` rows.
    var integrity: [String] = []
    /// Mobiles of leads answered saved that are gone (or whose lead id changed).
    var lostLeads: [String] = []
    /// Calls answered cancelled that are not.
    var wrongCancels: [Int64] = []
    /// Calls answered claimed that are not being dialled by that dialler.
    var wrongClaims: [Int64] = []
    /// Calls queued twice, queued while not in state `queued`, or in state `queued` but not queued.
    var queue: [String] = []
    /// Errors callers met before the cut.
    var errorsBeforeCut: [String] = []

    var isClean: Bool {
        openFailure == nil && integrity.isEmpty && lostLeads.isEmpty && wrongCancels.isEmpty && wrongClaims.isEmpty
            && queue.isEmpty && errorsBeforeCut.isEmpty
    }

    var description: String {
        var parts: [String] = []
        if let openFailure { parts.append("store would not open: \(openFailure)") }
        if !integrity.isEmpty { parts.append("integrity: \(integrity.prefix(3))") }
        if !lostLeads.isEmpty { parts.append("\(lostLeads.count) acknowledged leads lost, e.g. \(lostLeads.prefix(3))") }
        if !wrongCancels.isEmpty { parts.append("\(wrongCancels.count) acknowledged cancels undone, e.g. \(wrongCancels.prefix(3))") }
        if !wrongClaims.isEmpty { parts.append("\(wrongClaims.count) acknowledged claims undone, e.g. \(wrongClaims.prefix(3))") }
        if !queue.isEmpty { parts.append("queue: \(queue)") }
        if !errorsBeforeCut.isEmpty { parts.append("errors before the cut: \(errorsBeforeCut.prefix(3))") }
        return parts.isEmpty ? "clean" : parts.joined(separator: "; ")
    }
}

extension Store {
    /// Compares what the store holds with what `ledger` says its callers were told.
    func powerCutFindings(against ledger: AcknowledgementLedger) async throws -> PowerCutFindings {
        let told = ledger.snapshot
        // On the writer's read-write connection: a read-only one's integrity_check skips CHECK constraints.
        return try await writer.write { connection in
            var findings = PowerCutFindings(errorsBeforeCut: told.errorsBeforeCut)
            findings.integrity = try connection.query("PRAGMA integrity_check") { $0.text(0) }.filter { $0 != "ok" }
            findings.integrity += try connection.query("PRAGMA foreign_key_check") { "foreign key: \($0.text(0)) row \($0.int64(1))" }
            let leads = try connection.query("SELECT c.mobile, l.lead_id FROM leads l JOIN contacts c USING (contact_id)") {
                ($0.text(0), $0.int64(1))
            }
            var stored: [String: Set<Int64>] = [:]
            for (mobile, id) in leads { stored[mobile, default: []].insert(id) }
            findings.lostLeads = told.leads.filter { stored[$0.key]?.contains($0.value) != true }.map(\.key).sorted()
            let calls = try connection.query("SELECT call_id, state, claimed_by FROM calls") {
                ($0.int64(0), (state: $0.text(1), claimedBy: $0.optionalInt64(2)))
            }
            let byID = Dictionary(calls, uniquingKeysWith: { first, _ in first })
            findings.wrongCancels = told.cancelled.filter { byID[$0]?.state != "cancelled" }.sorted()
            findings.wrongClaims = told.claimed.filter { byID[$0.key]?.state != "dialling" || byID[$0.key]?.claimedBy != $0.value }
                .map(\.key).sorted()
            let twice = try connection.queryFirst("SELECT count(*) - count(DISTINCT call_id) FROM call_queue") { $0.int(0) } ?? 0
            if twice != 0 { findings.queue.append("\(twice) calls queued twice") }
            let stray =
                try connection.queryFirst(
                    """
                    SELECT count(*) FROM call_queue q JOIN calls k USING (call_id) WHERE k.state <> 'queued'
                    """
                ) { $0.int(0) } ?? 0
            if stray != 0 { findings.queue.append("\(stray) queued calls not in state queued") }
            let missing =
                try connection.queryFirst(
                    """
                    SELECT count(*) FROM calls WHERE state = 'queued' AND call_id NOT IN (SELECT call_id FROM call_queue)
                    """
                ) { $0.int(0) } ?? 0
            if missing != 0 { findings.queue.append("\(missing) calls in state queued missing from the queue") }
            return findings
        }
    }
}

import DiallerStore
import Testing

@Suite struct LeadOutcomeTests {
    @Test func processedLeadSchedulesAWaitingCallAfterItsDelay() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name, default_delay) VALUES ('motor-trade', 120)")
            let partner = try await store.partner("acme")
            let withDelay = try await store.submitLead(.sample(delays: 600), from: partner)
            #expect(withDelay.outcome == .processed)
            #expect(withDelay.dueAt == clock.now().adding(seconds: 600))
            let other = try await store.submitLead(.sample(mobile: "+447700900123"), from: partner)
            #expect(other.dueAt == clock.now().adding(seconds: 120))
            #expect(try await store.scalar("SELECT group_concat(state) FROM calls") == "waiting,waiting")
        }
    }

    @Test func unknownInactiveOrForbiddenTypeIsSavedUnprocessed() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec(
                """
                INSERT INTO lead_types(name) VALUES ('motor-trade');
                INSERT INTO lead_types(name, active) VALUES ('retired', 0);
                INSERT INTO lead_types(name) VALUES ('home');
                """)
            let partner = try await store.partner("acme", types: ["motor-trade", "retired"])
            #expect(try await store.submitLead(.sample(type: "no-such-type"), from: partner).outcome == .unknownType)
            #expect(try await store.submitLead(.sample(type: "retired"), from: partner).outcome == .unknownType)
            #expect(try await store.submitLead(.sample(type: "home"), from: partner).outcome == .unknownType)
            #expect(try await store.submitLead(.sample(type: "motor-trade"), from: partner).outcome == .processed)
            #expect(try await store.scalar("SELECT count(*) FROM leads") == "4")
            #expect(try await store.scalar("SELECT count(*) FROM calls") == "1")
        }
    }

    /// The de-duplication matrix: what an earlier call for the same mobile and type makes of a new lead.
    @Test(arguments: [
        ("waiting", LeadOutcome.alreadyScheduled),
        ("queued", .alreadyScheduled),
        ("dialling", .alreadyScheduled),
        ("done", .existingContact),
        ("cancelled", .processed),
    ])
    func earlierCallDecidesOutcome(state: String, expected: LeadOutcome) async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            // A call waits only while it is not due; one due at once is queued at intake.
            let first = try await store.submitLead(.sample(delays: state == "waiting" ? 600 : 0), from: partner)
            try await moveCall(first.callID!, to: state, in: store, at: clock.now())
            // Another partner's lead for the same person counts too: the contact is one person.
            let otherPartner = try await store.partner("other")
            #expect(try await store.submitLead(.sample(), from: otherPartner).outcome == expected)
        }
    }

    @Test func existingContactExpiresAfterDedupeDays() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec(
                """
                INSERT INTO lead_types(name, dedupe_days) VALUES ('motor-trade', 30);
                INSERT INTO lead_types(name, dedupe_days) VALUES ('forever', NULL);
                """)
            let partner = try await store.partner("acme")
            for type in ["motor-trade", "forever"] {
                let lead = try await store.submitLead(.sample(type: type), from: partner)
                try await moveCall(lead.callID!, to: "done", in: store, at: clock.now())
            }
            clock.advance(seconds: 29 * 86_400)
            #expect(try await store.submitLead(.sample(), from: partner).outcome == .existingContact)
            clock.advance(seconds: 2 * 86_400)
            #expect(try await store.submitLead(.sample(), from: partner).outcome == .processed)
            clock.advance(seconds: 3650 * 86_400)
            #expect(try await store.submitLead(.sample(type: "forever"), from: partner).outcome == .existingContact)
        }
    }

    @Test func concurrentIdenticalSubmissionsProcessExactlyOne() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let outcomes = try await withThrowingTaskGroup(of: LeadOutcome.self) { group in
                for _ in 0..<50 { group.addTask { try await store.submitLead(.sample(), from: partner).outcome } }
                return try await group.reduce(into: [LeadOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .processed }.count == 1)
            #expect(outcomes.filter { $0 == .alreadyScheduled }.count == 49)
            #expect(try await store.scalar("SELECT count(*) FROM contacts") == "1")
        }
    }

    @Test func leadsReportShowsEachOutcomeReadably() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            _ = try await store.submitLead(.sample(), from: partner)
            _ = try await store.submitLead(.sample(), from: partner)
            _ = try await store.submitLead(.sample(type: "nope"), from: partner)
            let rows = try await store.read {
                try $0.query(
                    "SELECT lead_id, received_at, partner, type, mobile, email, first_name, surname, outcome, call_id FROM leads_report ORDER BY lead_id"
                ) { row in
                    (0..<10).map { row.optionalText(Int32($0)) ?? "NULL" }.joined(separator: "|")
                }
            }
            #expect(
                rows == [
                    "1|2026-11-25T10:00:00Z|acme|motor-trade|+447840258823|john.doe@example.com|John|Doe|processed|1",
                    "2|2026-11-25T10:00:00Z|acme|motor-trade|+447840258823|john.doe@example.com|John|Doe|already_scheduled|NULL",
                    "3|2026-11-25T10:00:00Z|acme|nope|+447840258823|john.doe@example.com|John|Doe|unknown_type|NULL",
                ])
        }
    }
}

/// Puts a call into `state` the way the worker and diallers would, from the state intake left it
/// in: `queued` when it was due at once (it leaves the queue first, as a claim or a cancel takes
/// it out), `waiting` when it was not. A call cannot be made to wait again here: a test that needs
/// a waiting call submits a lead that is not due yet.
func moveCall(_ callID: Int64, to state: String, in store: Store, at now: Timestamp) async throws {
    let time = SQLValue.text(now.iso8601)
    let id = SQLValue.integer(callID)
    try await store.writer.write { connection in
        let current = try connection.queryFirst("SELECT state FROM calls WHERE call_id = ?", id) { $0.text(0) }
        if current == state { return }
        if state == "waiting" { throw CallIsNotWaiting(callID: callID, state: current) }
        try connection.execute("DELETE FROM call_queue WHERE call_id = ?", id)
        switch state {
        case "queued":
            try connection.execute("UPDATE calls SET state = 'queued', queued_at = ? WHERE call_id = ?", time, id)
            // As the worker's enqueue does: the type's priority, first attempt, due time in milliseconds.
            try connection.execute(
                """
                INSERT INTO call_queue(call_id, call_group, due_at, queued_at, lead_type_id, priority, first_attempt, sort_key)
                SELECT k.call_id, k.call_group, k.due_at, k.queued_at, k.lead_type_id, t.priority, k.attempts = 0,
                       CAST(strftime('%s', k.due_at) AS INTEGER) * 1000 + CAST(substr(k.due_at, 21, 3) AS INTEGER)
                FROM calls k JOIN lead_types t ON t.lead_type_id = k.lead_type_id WHERE k.call_id = ?
                """, id)
        case "dialling":
            try connection.execute(
                """
                UPDATE calls SET state = 'dialling', lease_expires_at = ?, claimed_by = (SELECT min(key_id) FROM api_keys)
                WHERE call_id = ?
                """, time, id)
        default:
            try connection.execute("UPDATE calls SET state = ?, finished_at = ? WHERE call_id = ?", .text(state), time, id)
        }
    }
}

/// `moveCall(_:to: "waiting")` on a call that intake did not leave waiting (it was due at once).
struct CallIsNotWaiting: Error {
    let callID: Int64
    let state: String?
}

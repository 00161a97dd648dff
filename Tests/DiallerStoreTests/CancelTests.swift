import DiallerStore
import Testing

@Suite struct CancelTests {
    @Test(arguments: [
        ("waiting", CancelOutcome.cancelled(callID: 1)),
        ("queued", .cancelled(callID: 1)),
        ("dialling", .alreadyProcessed(.dialling)),
        ("done", .alreadyProcessed(.done)),
        ("cancelled", .alreadyProcessed(.cancelled)),
    ])
    func cancelInEveryState(state: String, expected: CancelOutcome) async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            // A call waits only while it is not due; one due at once is queued at intake.
            let lead = try await store.submitLead(.sample(delays: state == "waiting" ? 600 : 0), from: partner)
            try await moveCall(lead.callID!, to: state, in: store, at: clock.now())
            let before = try await store.scalar("SELECT state FROM calls")
            #expect(try await store.cancelCall(type: "motor-trade", mobile: "+447840258823", partner: partner) == expected)
            #expect(try await store.scalar("SELECT count(*) FROM call_queue") == "0" || state != "queued" && state != "waiting")
            if case .cancelled = expected {
                #expect(try await store.scalar("SELECT state FROM calls_report") == "cancelled")
                #expect(try await store.scalar("SELECT count(*) FROM queue_report") == "0")
            } else {
                #expect(try await store.scalar("SELECT state FROM calls") == before)
            }
        }
    }

    @Test func anotherPartnersCallIsNotFound() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let owner = try await store.partner("acme")
            let stranger = try await store.partner("rival")
            _ = try await store.submitLead(.sample(), from: owner)
            #expect(try await store.cancelCall(type: "motor-trade", mobile: "+447840258823", partner: stranger) == .notFound)
            #expect(try await store.cancelCall(type: "other-type", mobile: "+447840258823", partner: owner) == .notFound)
            #expect(try await store.cancelCall(type: "motor-trade", mobile: "+447700900999", partner: owner) == .notFound)
            #expect(try await store.scalar("SELECT state FROM calls") == "queued")
            #expect(try await store.scalar("SELECT count(*) FROM call_queue") == "1")
        }
    }

    @Test func theLatestCallIsTheOneLookedAt() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let first = try await store.submitLead(.sample(), from: partner)
            #expect(try await store.cancelCall(type: "motor-trade", mobile: "+447840258823", partner: partner) == .cancelled(callID: first.callID!))
            let second = try await store.submitLead(.sample(), from: partner)
            #expect(second.outcome == .processed)
            #expect(try await store.cancelCall(type: "motor-trade", mobile: "+447840258823", partner: partner) == .cancelled(callID: second.callID!))
            #expect(try await store.cancelCall(type: "motor-trade", mobile: "+447840258823", partner: partner) == .alreadyProcessed(.cancelled))
        }
    }
}

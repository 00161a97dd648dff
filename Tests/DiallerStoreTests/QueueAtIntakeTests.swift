import DiallerStore
import Logging
import Testing

/// A call due when its lead arrives is queued by the lead's own write; one due later waits for
/// the promotion worker, which moves it exactly as before.
@Suite struct QueueAtIntakeTests {
    static let logger = Logger(label: "test")

    @Test func aCallDueAtIntakeIsQueuedAndClaimableWithoutPromotion() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let dialler = try await store.dialler("floor-1")
            let lead = try await store.submitLead(.sample(delays: 0), from: try await store.partner("acme"))
            #expect(lead.dueAt == Timestamp(iso8601: "2026-11-25T10:00:00.000Z"))
            #expect(
                try await store.scalar("SELECT state || ' ' || queued_at || ' ' || due_at FROM calls_report")
                    == "queued 2026-11-25T10:00:00Z 2026-11-25T10:00:00Z")
            #expect(
                try await store.scalar("SELECT call_id || ' ' || call_group || ' ' || queued_at FROM queue_report")
                    == "\(lead.callID!) motor-trade 2026-11-25T10:00:00Z")
            // No promotion has run, and none is needed: the dialler takes the call at once.
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call?.callID == lead.callID)
            #expect(await HousekeepingWorker(store: store, interval: 3600, logger: Self.logger).promoteNow() == PromotionReport())
        }
    }

    @Test func theQueueRowIsTheOnePromotionMakes() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name, priority, fresh_order) VALUES ('motor-trade', 80, 'newest')")
            let partner = try await store.partner("acme")
            let atOnce = try await store.submitLead(.sample(mobile: "+447700900001"), from: partner)
            let later = try await store.submitLead(.sample(mobile: "+447700900002", delays: 60), from: partner)
            clock.advance(seconds: 60)
            #expect(await HousekeepingWorker(store: store, interval: 3600, logger: Self.logger).promoteNow() == PromotionReport(promoted: 1))
            let rows = try await store.read {
                try $0.query(
                    "SELECT call_id, priority || ' ' || first_attempt || ' ' || sort_key || ' ' || queued_at FROM call_queue ORDER BY call_id"
                ) { "\($0.int64(0)) \($0.text(1))" }
            }
            // Newest first: the sort key is the due time in milliseconds, negated.
            #expect(
                rows == [
                    "\(atOnce.callID!) 80 1 -1795600800000 2026-11-25T10:00:00.000Z",
                    "\(later.callID!) 80 1 -1795600860000 2026-11-25T10:01:00.000Z",
                ])
        }
    }

    @Test func aDelayedCallWaitsAndIsPromotedAtItsDueTime() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name, default_delay) VALUES ('motor-trade', 300)")
            let dialler = try await store.dialler("floor-1")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            let lead = try await store.submitLead(.sample(), from: try await store.partner("acme"))
            #expect(
                try await store.scalar("SELECT state || ' ' || due_at || ' ' || coalesce(queued_at, '-') FROM calls_report")
                    == "waiting 2026-11-25T10:05:00Z -")
            #expect(try await store.scalar("SELECT count(*) FROM call_queue") == "0")
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call == nil)
            clock.advance(seconds: 299)
            #expect(await worker.promoteNow() == PromotionReport())
            clock.advance(seconds: 1)
            #expect(await worker.promoteNow() == PromotionReport(promoted: 1))
            #expect(try await store.scalar("SELECT state || ' ' || queued_at FROM calls_report") == "queued 2026-11-25T10:05:00Z")
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call?.callID == lead.callID)
        }
    }

    @Test func aLeadOutsideItsTypesCallingHoursWaitsForThem() async throws {
        try await withTemporaryStore { store, clock in
            // 10:00 on Wednesday 25 November (GMT); this type calls from 18:00 to 20:00 only.
            try await store.exec(
                """
                INSERT INTO lead_types(name, window_start, window_end, window_days, time_zone)
                VALUES ('motor-trade', '18:00', '20:00', 'mon,tue,wed,thu,fri', 'Europe/London')
                """)
            let dialler = try await store.dialler("floor-1")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            let lead = try await store.submitLead(.sample(delays: 0), from: try await store.partner("acme"))
            #expect(lead.dueAt == Timestamp(iso8601: "2026-11-25T18:00:00.000Z"))
            #expect(try await store.scalar("SELECT state || ' ' || due_at FROM calls_report") == "waiting 2026-11-25T18:00:00Z")
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call == nil)
            clock.advance(seconds: 8 * 3600)
            #expect(await worker.promoteNow() == PromotionReport(promoted: 1))
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call?.callID == lead.callID)
        }
    }

    @Test func aLeadWhoseCallCannotBeQueuedIsNotSavedEither() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec(
                """
                INSERT INTO lead_types(name) VALUES ('motor-trade');
                CREATE TRIGGER refuse BEFORE INSERT ON call_queue BEGIN SELECT RAISE(ABORT, 'queue refused'); END;
                """)
            let partner = try await store.partner("acme")
            await #expect(throws: SQLiteError.self) { try await store.submitLead(.sample(), from: partner) }
            #expect(
                try await store.scalar("SELECT count(*) || ' ' || (SELECT count(*) FROM calls) || ' ' || (SELECT count(*) FROM contacts) FROM leads")
                    == "0 0 0")
            try await store.exec("DROP TRIGGER refuse")
            #expect(try await store.submitLead(.sample(), from: partner).outcome == .processed)
            #expect(try await store.scalar("SELECT count(*) FROM call_queue") == "1")
        }
    }
}

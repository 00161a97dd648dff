import DiallerStore
import Logging
import Testing

/// The contact rules and the attempt history, with the injected clock: attempt caps, the shortest
/// retry, the rolling daily cap, the abandoned-call hold, and calls that become callable again.
@Suite struct ContactRuleTests {
    static let logger = Logger(label: "test")

    /// Claims the next call, answers its id.
    func claim(_ store: Store, _ dialler: Principal) async throws -> Int64? {
        try await store.claimNextCall(callGroup: nil, by: dialler).call?.callID
    }

    @Test func aRetryAtMaxAttemptsFinishesTheCallAndAShortRetryIsRaised() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name, max_attempts, min_retry_seconds) VALUES ('motor-trade', 2, 600)")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            let call = try #require(try await store.submitLead(.sample(), from: partner).callID)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == call)
            let first = try await store.recordResult(callID: call, result: CallResult(outcome: "no answer", retryAfterSeconds: 5), by: dialler)
            #expect(first.state == .waiting)
            #expect(try await store.scalar("SELECT due_at FROM calls_report") == "2026-11-25T10:10:00Z")
            clock.advance(seconds: 600)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == call)
            let second = try await store.recordResult(callID: call, result: CallResult(outcome: "no answer", retryAfterSeconds: 5), by: dialler)
            #expect(second == ResultOutcome(state: .done, reason: "max_attempts", cancelledCalls: [], callGroup: "motor-trade"))
            // The history of both attempts survives the retry and the finish.
            #expect(
                try await store.scalar(
                    "SELECT group_concat(attempt_id || ' ' || outcome || ' ' || dialler, ', ') FROM call_attempts_report ORDER BY attempt_id")
                    == "1 no answer floor, 2 no answer floor")
            #expect(try await store.scalar("SELECT state || ' ' || attempts FROM calls_report") == "done 2")
        }
    }

    @Test func anAbandonedCallHoldsTheNumberFor72HoursAcrossTypes() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade'), ('van')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            let first = try #require(try await store.submitLead(.sample(type: "motor-trade"), from: partner).callID)
            let second = try #require(try await store.submitLead(.sample(type: "van"), from: partner).callID)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == first)
            _ = try await store.recordResult(callID: first, result: CallResult(outcome: "abandoned", abandoned: true), by: dialler)
            let held = try await store.claimNextCall(callGroup: nil, by: dialler)
            #expect(held.call == nil && held.held == [.abandonedHold])
            #expect(
                try await store.scalar(
                    "SELECT state || ' ' || held_by || ' ' || held_until || ' ' || due_at FROM calls_report WHERE call_id = \(second)")
                    == "waiting abandoned_hold 2026-11-28T10:00:00Z 2026-11-28T10:00:00Z")
            clock.advance(seconds: 259_199)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == nil)
            clock.advance(seconds: 1)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == second)
            #expect(try await store.scalar("SELECT group_concat(abandoned, ',') FROM call_attempts_report ORDER BY attempt_id") == "1,0")
        }
    }

    @Test func theRollingDailyCapWaitsForTheOldestAttemptToBeADayOld() async throws {
        try await withTemporaryStore(configure: { $0.contactRules.maxAttemptsPerNumberPerDay = 2 }) { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            let call = try #require(try await store.submitLead(.sample(), from: partner).callID)
            for _ in 0..<2 {
                await worker.promoteNow()
                #expect(try await claim(store, dialler) == call)
                _ = try await store.recordResult(callID: call, result: CallResult(outcome: "no answer", retryAfterSeconds: 3600), by: dialler)
                clock.advance(seconds: 3600)
            }
            await worker.promoteNow()
            let held = try await store.claimNextCall(callGroup: nil, by: dialler)
            #expect(held.call == nil && held.held == [.dailyCap])
            // The first attempt was at 10:00 on the 25th: the number is callable at 10:00 on the 26th.
            #expect(try await store.scalar("SELECT held_by || ' ' || due_at FROM calls_report") == "daily_cap 2026-11-26T10:00:00Z")
            clock.advance(seconds: 86_400 - 7200 - 1)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == nil)
            clock.advance(seconds: 1)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == call)
        }
    }

    @Test func aHeldCallWaitsForItsTypesCallingWindow() async throws {
        try await withTemporaryStore { store, clock in
            // 10:00 on Wednesday 25 November; the window opens 09:00 to 17:00 on weekdays.
            try await store.exec(
                """
                INSERT INTO lead_types(name, window_start, window_end, window_days, time_zone)
                VALUES ('motor-trade', '09:00', '17:00', 'mon,tue,wed,thu,fri', 'Europe/London'), ('van', NULL, NULL, NULL, 'Europe/London')
                """)
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            let van = try #require(try await store.submitLead(.sample(type: "van"), from: partner).callID)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == van)
            _ = try await store.recordResult(callID: van, result: CallResult(outcome: "abandoned", abandoned: true), by: dialler)
            clock.advance(seconds: 60)
            let motor = try #require(try await store.submitLead(.sample(type: "motor-trade"), from: partner).callID)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == nil)
            // Held until 10:00 on Saturday the 28th, which is outside the window: Monday 09:00.
            #expect(try await store.scalar("SELECT due_at FROM calls_report WHERE call_id = \(motor)") == "2026-11-30T09:00:00Z")
        }
    }

    @Test func anExpiredLeaseIsRecordedOnItsAttempt() async throws {
        try await withTemporaryStore(configure: { $0.leaseSeconds = 60 }) { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            let call = try #require(try await store.submitLead(.sample(), from: partner).callID)
            await worker.promoteNow()
            #expect(try await claim(store, dialler) == call)
            clock.advance(seconds: 61)
            #expect(await worker.promoteNow().requeued == 1)
            #expect(try await store.scalar("SELECT lease_expired || ' ' || finished_at FROM call_attempts_report") == "1 2026-11-25T10:01:01Z")
        }
    }
}

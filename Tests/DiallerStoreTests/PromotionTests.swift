import DiallerStore
import Logging
import Testing

@Suite struct PromotionTests {
    static let logger = Logger(label: "test")

    @Test func callIsQueuedAtItsDueTimeAndNotBefore() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            let lead = try await store.submitLead(.sample(delays: 60), from: try await store.partner("acme"))
            clock.advance(seconds: 59.999)
            #expect(await worker.promoteNow() == PromotionReport(promoted: 0))
            #expect(try await store.scalar("SELECT state FROM calls_report") == "waiting")
            clock.advance(seconds: 0.001)
            #expect(await worker.promoteNow() == PromotionReport(promoted: 1))
            #expect(try await store.scalar("SELECT state || ' ' || queued_at FROM calls_report") == "queued 2026-11-25T10:01:00Z")
            #expect(try await store.scalar("SELECT call_id || ' ' || due_at FROM queue_report") == "\(lead.callID!) 2026-11-25T10:01:00Z")
            #expect(await worker.promoteNow() == PromotionReport(promoted: 0))
        }
    }

    @Test func largePromotionIsChunked() async throws {
        let log = BatchLog()
        try await withTemporaryStore(configure: { $0.promotionChunk = 100 }, onBatch: { log.record($0) }) { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            for n in 0..<250 {
                _ = try await store.submitLead(.sample(mobile: "+4477009\(String(format: "%05d", n))", delays: 1), from: partner)
            }
            #expect(try await store.scalar("SELECT count(*) FROM calls WHERE state = 'waiting'") == "250")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            clock.advance(seconds: 1)
            #expect(await worker.promoteNow() == PromotionReport(promoted: 250))
            #expect(try await store.scalar("SELECT count(*) FROM call_queue") == "250")
            #expect(try await store.scalar("SELECT count(*) FROM calls WHERE state = 'queued'") == "250")
        }
    }

    @Test func theQueueCannotHoldACallTwice() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let lead = try await store.submitLead(.sample(), from: try await store.partner("acme"))
            // Due at once: intake queued it, and it is in the queue once.
            #expect(try await store.scalar("SELECT state FROM calls") == "queued")
            #expect(try await store.scalar("SELECT count(*) FROM call_queue WHERE call_id = \(lead.callID!)") == "1")
            let error = await #expect(throws: SQLiteError.self) {
                try await store.writer.write {
                    try $0.execute(
                        "INSERT INTO call_queue SELECT call_id, call_group, due_at, due_at, lead_type_id, 50, 1, 0 FROM calls WHERE call_id = ?",
                        .integer(lead.callID!))
                }
            }
            #expect(error?.code == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
        }
    }

    @Test func theDispatchTimerPromotesOnItsOwn() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            _ = try await store.submitLead(.sample(delays: 1), from: try await store.partner("acme"))
            #expect(try await store.scalar("SELECT count(*) FROM call_queue") == "0")
            clock.advance(seconds: 1)
            let worker = HousekeepingWorker(store: store, interval: 0.05, logger: Self.logger)
            let running = Task { try await worker.run() }
            var queued = "0"
            for _ in 0..<500 where queued == "0" {
                try await Task.sleep(for: .milliseconds(20))
                queued = try await store.scalar("SELECT count(*) FROM call_queue") ?? "0"
            }
            running.cancel()
            try await running.value
            #expect(queued == "1")
            #expect(worker.lastTickAt != nil)
        }
    }

    @Test func claimsFollowDueTimeThenAgeAndCallGroup() async throws {
        try await withTemporaryStore { store, clock in
            let dialler = try await store.dialler("floor-1")
            try await store.exec(
                """
                INSERT INTO lead_types(name) VALUES ('motor-trade');
                INSERT INTO lead_types(name, call_group) VALUES ('vans', 'motor-trade');
                INSERT INTO lead_types(name) VALUES ('home');
                """)
            let partner = try await store.partner("acme")
            let late = try await store.submitLead(.sample(mobile: "+447700900001", delays: 30), from: partner)
            let early = try await store.submitLead(.sample(mobile: "+447700900002", type: "vans", delays: 10), from: partner)
            let sameTime = try await store.submitLead(.sample(mobile: "+447700900003", delays: 30), from: partner)
            let home = try await store.submitLead(.sample(mobile: "+447700900004", type: "home", delays: 0), from: partner)
            clock.advance(seconds: 60)
            await HousekeepingWorker(store: store, interval: 3600, logger: Self.logger).promoteNow()
            let order = try await store.read { try $0.query("SELECT call_id FROM queue_report WHERE call_group = 'motor-trade'") { $0.int64(0) } }
            #expect(order == [early.callID!, late.callID!, sameTime.callID!])
            #expect(try await store.claimNextCall(callGroup: "motor-trade", by: dialler).call?.callID == early.callID)
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call?.callID == home.callID)
            #expect(try await store.claimNextCall(callGroup: "motor-trade", by: dialler).call?.callID == late.callID)
            #expect(try await store.claimNextCall(callGroup: "motor-trade", by: dialler).call?.callID == sameTime.callID)
            #expect(try await store.claimNextCall(callGroup: "motor-trade", by: dialler).call == nil)
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call == nil)
            #expect(try await store.scalar("SELECT count(*) FROM calls_report WHERE state = 'dialling'") == "4")
        }
    }

    @Test func concurrentClaimsNeverShareACall() async throws {
        try await withTemporaryStore { store, clock in
            let dialler = try await store.dialler("floor-1")
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            for n in 0..<40 { _ = try await store.submitLead(.sample(mobile: "+4477009000\(String(format: "%02d", n))"), from: partner) }
            clock.advance(seconds: 1)
            await HousekeepingWorker(store: store, interval: 3600, logger: Self.logger).promoteNow()
            let claimed = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for _ in 0..<60 { group.addTask { try await store.claimNextCall(callGroup: nil, by: dialler).call?.callID } }
                return try await group.reduce(into: [Int64]()) { if let id = $1 { $0.append(id) } }
            }
            #expect(claimed.count == 40)
            #expect(Set(claimed).count == 40)
        }
    }

    @Test func anUnansweredClaimReturnsToTheQueueAfterItsLease() async throws {
        try await withTemporaryStore(configure: { $0.leaseSeconds = 600 }) { store, clock in
            let dialler = try await store.dialler("floor-1")
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let lead = try await store.submitLead(.sample(), from: try await store.partner("acme"))
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            clock.advance(seconds: 1)
            await worker.promoteNow()
            let claim = try #require(try await store.claimNextCall(callGroup: nil, by: dialler).call)
            #expect(claim.attempt == 1)
            clock.advance(seconds: 599)
            #expect(await worker.promoteNow() == PromotionReport(promoted: 0, requeued: 0))
            clock.advance(seconds: 1)
            #expect(await worker.promoteNow() == PromotionReport(promoted: 0, requeued: 1))
            #expect(try await store.scalar("SELECT state FROM calls_report") == "queued")
            // The dialler that lost the lease cannot finish the call any more…
            await #expect(throws: CallResultRejection.notDialling(.queued)) {
                try await store.recordResult(callID: lead.callID!, result: CallResult(outcome: "sale"), by: dialler)
            }
            // …and the next claim is a second attempt; the first dialler cannot finish it for the second.
            let second = try await store.dialler("floor-2")
            #expect(try await store.claimNextCall(callGroup: nil, by: second).call?.attempt == 2)
            await #expect(throws: CallResultRejection.claimedByAnotherDialler) {
                try await store.recordResult(callID: lead.callID!, result: CallResult(outcome: "sale"), by: dialler)
            }
            #expect(try await store.recordResult(callID: lead.callID!, result: CallResult(outcome: "sale"), by: second).state == .done)
        }
    }

    @Test func resultsFinishOrRetryTheCall() async throws {
        try await withTemporaryStore { store, clock in
            let dialler = try await store.dialler("floor-1")
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let lead = try await store.submitLead(.sample(), from: partner)
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            clock.advance(seconds: 1)
            await worker.promoteNow()
            _ = try await store.claimNextCall(callGroup: nil, by: dialler)
            #expect(
                try await store.recordResult(callID: lead.callID!, result: CallResult(outcome: "no answer", retryAfterSeconds: 3600), by: dialler)
                    .state == .waiting)
            #expect(
                try await store.scalar("SELECT state || ' ' || due_at || ' ' || outcome FROM calls_report")
                    == "waiting 2026-11-25T11:00:01Z no answer")
            #expect(try await store.submitLead(.sample(), from: partner).outcome == .alreadyScheduled)
            clock.advance(seconds: 3600)
            await worker.promoteNow()
            _ = try await store.claimNextCall(callGroup: nil, by: dialler)
            #expect(try await store.recordResult(callID: lead.callID!, result: CallResult(outcome: "sale"), by: dialler).state == .done)
            #expect(
                try await store.scalar("SELECT state || ' ' || outcome || ' ' || finished_at FROM calls_report") == "done sale 2026-11-25T11:00:01Z")
            await #expect(throws: CallResultRejection.notDialling(.done)) {
                try await store.recordResult(callID: lead.callID!, result: CallResult(outcome: "sale"), by: dialler)
            }
            await #expect(throws: CallResultRejection.noSuchCall) {
                try await store.recordResult(callID: 999, result: CallResult(outcome: "sale"), by: dialler)
            }
            #expect(try await store.submitLead(.sample(), from: partner).outcome == .existingContact)
        }
    }
}

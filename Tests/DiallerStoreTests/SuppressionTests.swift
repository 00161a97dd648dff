import DiallerStore
import Logging
import Testing

/// Do-not-call lists through the real store: every way a number becomes suppressed cancels its
/// open calls in the same job, intake answers `suppressed`, a claim never hands out a listed
/// number, and a replacing import is all or nothing.
@Suite struct SuppressionTests {
    static let logger = Logger(label: "test")

    @Test func suppressingCancelsWaitingAndQueuedCallsButNotOneBeingDialled() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade'), ('van'), ('home')")
            let partner = try await store.partner("acme")
            let waiting = try await store.submitLead(.sample(type: "motor-trade", delays: 600), from: partner)
            let queued = try await store.submitLead(.sample(type: "van"), from: partner)
            let dialling = try await store.submitLead(.sample(type: "home"), from: partner)
            try await moveCall(queued.callID!, to: "queued", in: store, at: clock.now())
            try await moveCall(dialling.callID!, to: "dialling", in: store, at: clock.now())
            let change = try await store.suppress(mobile: "+447840258823", reason: "asked on the phone")
            #expect(change.added)
            #expect(Set(change.cancelledCalls) == [waiting.callID!, queued.callID!])
            #expect(
                try await store.scalar(
                    "SELECT group_concat(call_id || ':' || state || ':' || coalesce(outcome, ''), ' ') FROM calls_report ORDER BY call_id")
                    == "\(waiting.callID!):cancelled:suppressed \(queued.callID!):cancelled:suppressed \(dialling.callID!):dialling:")
            #expect(try await store.scalar("SELECT count(*) FROM call_queue") == "0")
            #expect(try await store.suppress(mobile: "+447840258823", reason: nil).added == false)
            #expect(try await store.scalar("SELECT numbers FROM suppression_lists_report WHERE list = 'internal'") == "1")
        }
    }

    @Test func aSuppressedMobileIsSavedAsSuppressedAfterTheTypeCheckAndBeforeDeduplication() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let first = try await store.submitLead(.sample(), from: partner)
            #expect(first.outcome == .processed)
            _ = try await store.suppress(mobile: "+447840258823", list: "tps", reason: nil)
            // Before de-duplication: the number's earlier call would otherwise answer already_scheduled.
            let again = try await store.submitLead(.sample(), from: partner)
            #expect(again.outcome == .suppressed)
            #expect(again.suppressedBy == "tps")
            #expect(again.callID == nil)
            // After the type check: an unknown type is still Unknown Type.
            #expect(try await store.submitLead(.sample(type: "nope"), from: partner).outcome == .unknownType)
            #expect(try await store.scalar("SELECT group_concat(outcome, ',') FROM leads_report") == "processed,suppressed,unknown_type")
            #expect(try await store.unsuppress(mobile: "+447840258823", list: "tps"))
            #expect(try await store.unsuppress(mobile: "+447840258823", list: "tps") == false)
            // The suppression cancelled the first call, and a cancelled call blocks nothing.
            #expect(try await store.submitLead(.sample(), from: partner).outcome == .processed)
        }
    }

    @Test func aClaimNeverHandsOutAListedNumberEvenWhenRowsWereEditedBehindTheStoresBack() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let listed = try await store.submitLead(.sample(mobile: "+447840258823"), from: partner)
            let other = try await store.submitLead(.sample(mobile: "+447840258824"), from: partner)
            try await moveCall(listed.callID!, to: "queued", in: store, at: clock.now())
            try await moveCall(other.callID!, to: "queued", in: store, at: clock.now())
            // A supervisor's INSERT, bypassing the store: the queued call is not cancelled by it.
            try await store.exec(
                """
                INSERT INTO suppressions(list_id, generation, mobile, added_at)
                SELECT list_id, generation, '+447840258823', '2026-11-25T09:00:00.000Z' FROM suppression_lists WHERE name = 'internal'
                """)
            let claim = try await store.claimNextCall(callGroup: nil, by: dialler)
            #expect(claim.call?.callID == other.callID)
            #expect(claim.cancelledSuppressed == 1)
            #expect(try await store.scalar("SELECT state || ' ' || outcome FROM calls WHERE call_id = \(listed.callID!)") == "cancelled suppressed")
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call == nil)
        }
    }

    @Test func aDoNotCallResultListsTheNumberAndNoRetryUndoesIt() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade'), ('van')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let call = try await store.submitLead(.sample(type: "motor-trade"), from: partner)
            let otherType = try await store.submitLead(.sample(type: "van", delays: 3600), from: partner)
            try await moveCall(call.callID!, to: "queued", in: store, at: clock.now())
            _ = try await store.claimNextCall(callGroup: nil, by: dialler)
            let result = try await store.recordResult(
                callID: call.callID!, result: CallResult(outcome: "not interested", retryAfterSeconds: 60, doNotCall: true), by: dialler)
            #expect(result == ResultOutcome(state: .done, reason: "do_not_call", cancelledCalls: [otherType.callID!], callGroup: "motor-trade"))
            #expect(try await store.scalar("SELECT list || ' ' || reason FROM suppressions_report") == "internal call \(call.callID!)")
            #expect(try await store.scalar("SELECT do_not_call FROM call_attempts_report") == "1")
        }
    }

    @Test func aRetryOfACallWhoseNumberWasListedWhileDiallingFinishesIt() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let call = try await store.submitLead(.sample(), from: partner)
            try await moveCall(call.callID!, to: "queued", in: store, at: clock.now())
            _ = try await store.claimNextCall(callGroup: nil, by: dialler)
            _ = try await store.suppress(mobile: "+447840258823", list: "tps", reason: nil)
            let result = try await store.recordResult(callID: call.callID!, result: CallResult(outcome: "busy", retryAfterSeconds: 60), by: dialler)
            #expect(result.state == .done && result.reason == "suppressed")
        }
    }

    @Test func aReplacingImportIsInvisibleUntilCompleteAndAFailedOneLeavesTheOldList() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let adding = try await store.beginAdding(to: "tps")
            _ = try await store.importSuppressions(["+447700900001", "+447700900002"], into: adding, visible: true, reason: "v1")
            try await store.finishAdding(adding)
            let open = try await store.submitLead(.sample(mobile: "+447700900003"), from: partner)

            // A replacement that fails half way: its rows never become the list.
            let failed = try await store.beginReplacing("tps")
            _ = try await store.importSuppressions(["+447700900003"], into: failed, visible: false, reason: "v2")
            #expect(try await store.suppressionEntries(of: "+447700900003").isEmpty)
            #expect(try await store.suppressionEntries(of: "+447700900001").map(\.list) == ["tps"])
            #expect(try await store.submitLead(.sample(mobile: "+447700900001"), from: partner).outcome == .suppressed)

            // The next replacement purges what the failed one left, and switches in one job.
            let replacing = try await store.beginReplacing("tps")
            #expect(try await store.scalar("SELECT count(*) FROM suppressions") == "2")
            _ = try await store.importSuppressions(["+447700900003", "+447700900004"], into: replacing, visible: false, reason: "v3")
            #expect(try await store.suppressionEntries(of: "+447700900003").isEmpty)
            #expect(try await store.scalar("SELECT state FROM calls WHERE call_id = \(open.callID!)") == "queued")
            clock.advance(seconds: 60)
            #expect(try await store.finishReplacing(replacing) == 1)
            #expect(try await store.scalar("SELECT state || ' ' || outcome FROM calls WHERE call_id = \(open.callID!)") == "cancelled suppressed")
            #expect(try await store.suppressionEntries(of: "+447700900001").isEmpty)
            #expect(try await store.suppressionEntries(of: "+447700900004").first?.reason == "v3")
            #expect(try await store.scalar("SELECT count(*) FROM suppressions") == "2")
            let list = try #require(try await store.suppressionLists().first { $0.name == "tps" })
            #expect(list.numbers == 2 && list.loadedAt == clock.now())
            #expect(
                try await store.scalar("SELECT group_concat(mobile || ' ' || list, ', ') FROM suppressions_report ORDER BY mobile")
                    == "+447700900003 tps, +447700900004 tps")
        }
    }

    @Test func aReplacementsSwitchCancelsCallsThatReopenedOrArrivedAfterItsPlanWasRead() async throws {
        try await withTemporaryStore { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let dialled = try await store.submitLead(.sample(mobile: "+447700900001"), from: partner).callID!
            try await moveCall(dialled, to: "queued", in: store, at: clock.now())
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call?.callID == dialled)
            let queued = try await store.submitLead(.sample(mobile: "+447700900002"), from: partner).callID!
            try await moveCall(queued, to: "queued", in: store, at: clock.now())
            let unlisted = try await store.submitLead(.sample(mobile: "+447700900009"), from: partner).callID!
            let target = try await store.beginReplacing("tps")
            _ = try await store.importSuppressions(
                ["+447700900001", "+447700900002", "+447700900003"], into: target,
                visible: false, reason: "import of tps.txt")

            // The plan, read before the switch: the open and the dialled call of listed numbers.
            let plan = try await store.read { try $0.replacementPlan(target) }
            #expect(plan.numbers == 3 && Set(plan.candidates) == [dialled, queued])
            // Meanwhile the dialled call goes back to waiting (the list is not in force yet), and a
            // lead for another listed number arrives.
            #expect(
                try await store.recordResult(callID: dialled, result: CallResult(outcome: "busy", retryAfterSeconds: 60), by: dialler).state
                    == .waiting)
            let late = try await store.submitLead(.sample(mobile: "+447700900003"), from: partner)
            #expect(late.outcome == .processed)

            let cancelled = try await store.writer.write { try $0.finishReplace(target, plan: plan, at: clock.now()) }
            #expect(cancelled == 3)
            #expect(
                try await store.scalar(
                    """
                    SELECT group_concat(call_id || ':' || state || ':' || coalesce(outcome, ''), ' ') FROM calls_report ORDER BY call_id
                    """) == "\(dialled):cancelled:suppressed \(queued):cancelled:suppressed \(unlisted):queued: \(late.callID!):cancelled:suppressed"
            )
            #expect(try await store.suppressionEntries(of: "+447700900003").map(\.list) == ["tps"])
        }
    }

    @Test func aPurgeDeletesEveryHiddenGenerationBelowAndAboveTheVisibleOneInChunks() async throws {
        try await withTemporaryStore { store, _ in
            let first = try await store.beginReplacing("tps")
            _ = try await store.importSuppressions((0..<25).map { String(format: "+4477009%05d", $0) }, into: first, visible: false, reason: nil)
            _ = try await store.finishReplacing(first)
            // Generation 2 is visible; 1 was purged. Leave 3 behind as a failed import would, and
            // put rows of 1 back as an older failed purge would have left them.
            let failed = try await store.beginReplacing("tps")
            _ = try await store.importSuppressions((0..<12).map { String(format: "+4477008%05d", $0) }, into: failed, visible: false, reason: nil)
            try await store.exec(
                "INSERT INTO suppressions(list_id, generation, mobile, added_at) SELECT list_id, 1, mobile, added_at FROM suppressions WHERE generation = 2 AND mobile < '+447700900010'"
            )
            #expect(
                try await store.scalar(
                    "SELECT group_concat(generation || ':' || n, ' ') FROM (SELECT generation, count(*) n FROM suppressions GROUP BY generation ORDER BY generation)"
                ) == "1:10 2:25 3:12")
            let listID = try #require(Int64(try await store.scalar("SELECT list_id FROM suppression_lists WHERE name = 'tps'") ?? ""))
            var chunks: [Int] = []
            while true {
                let deleted = try await store.writer.write { try $0.purgeHiddenSuppressions(listID: listID, limit: 4) }
                chunks.append(deleted)
                if deleted == 0 { break }
            }
            #expect(chunks == [4, 4, 2, 4, 4, 4, 0])
            #expect(try await store.scalar("SELECT group_concat(DISTINCT generation) || ' ' || count(*) FROM suppressions") == "2 25")
        }
    }
}

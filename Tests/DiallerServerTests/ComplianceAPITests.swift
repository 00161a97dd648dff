import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

/// The compliance rules as partners and diallers meet them over HTTP.
@Suite struct ComplianceAPITests {
    @Test func anOptOutSuppressesTheNumberCancelsItsCallsAndLaterLeadsAnswerDoNotCall() async throws {
        try await withServer { (server: TestServer) async throws in
            #expect(try await server.post("/lead/add", leadBody(extra: #","delays":600"#)).body == #"{"saved":true,"processed":true}"#)
            let optOut = try await server.post("/lead/optout", #"{"mobile":"+44 7840 258823"}"#)
            #expect(optOut.status == .ok && optOut.body == #"{"suppressed":true}"#)
            #expect(try await server.scalar("SELECT state || ' ' || outcome FROM calls_report") == "cancelled suppressed")
            #expect(try await server.scalar("SELECT list || ' ' || reason FROM suppressions_report") == "internal opt-out from partner acme")
            // Test mode still only validates; a real lead is saved and answered Do Not Call.
            #expect(try await server.post("/lead/add", leadBody(extra: #","test":true"#)).body == #"{"test":"ok"}"#)
            let again = try await server.post("/lead/add", leadBody(type: "van-insurance"))
            #expect(again.body == #"{"saved":true,"processed":false,"error":"Do Not Call"}"#)
            #expect(try await server.scalar("SELECT group_concat(outcome, ',') FROM leads_report") == "processed,suppressed")
            // An unknown type is still Unknown Type: the type is checked first.
            #expect(try await server.post("/lead/add", leadBody(type: "nope")).body == #"{"saved":true,"processed":false,"error":"Unknown Type"}"#)
            let metrics = try await server.request(.get, "/metrics").body
            #expect(metrics.contains(#"dialler_leads_suppressed_total{list="internal"} 1"#))
            #expect(metrics.contains("dialler_calls_cancelled_suppressed_total 1"))
        }
    }

    @Test func anOptOutIsValidatedAndNeedsAPartnerKey() async throws {
        try await withServer { (server: TestServer) async throws in
            let blank = try await server.post("/lead/optout", "{}")
            #expect(blank.status == .badRequest && blank.body == #"{"mobile":{"0":"Mobile cannot be blank."}}"#)
            let invalid = try await server.post("/lead/optout", #"{"mobile":"0800 FLOWERS"}"#)
            #expect(invalid.status == .badRequest && invalid.body == #"{"mobile":{"0":"Mobile is not a valid phone number."}}"#)
            #expect(try await server.post("/lead/optout", #"{"mobile":"07840258823"}"#, key: server.diallerKey).status == .unauthorized)
            #expect(try await server.request(.get, "/lead/optout").status == .methodNotAllowed)
            #expect(try await server.post("/lead/optout", #"{"mobile":"07840258823","test":"true"}"#).body == #"{"test":"ok"}"#)
            #expect(
                try await server.post("/lead/optout", #"{"mobile":"07840258823","test":false}"#).body
                    == #"{"test":{"0":"Test must be \"true\" or absent."}}"#)
            #expect(try await server.scalar("SELECT count(*) FROM suppressions_report") == "0")
        }
    }

    @Test func aDiallersDoNotCallAndAbandonedFlagsAreRecordedAndTheAnswerGivesTheReason() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            _ = try await server.post("/lead/add", leadBody(mobile: "07911100001"))
            await server.worker.promoteNow()
            let first = try await server.post("/queue/next", "", key: server.diallerKey)
            #expect(first.body.contains(#""mobile":"+447840258823""#))
            let dnc = try await server.post(
                "/queue/result", #"{"call_id":1,"outcome":"not interested","do_not_call":true,"retry_in":60}"#,
                key: server.diallerKey)
            #expect(dnc.body == #"{"call_id":1,"state":"done","reason":"do_not_call"}"#)
            _ = try await server.post("/queue/next", "", key: server.diallerKey)
            let abandoned = try await server.post(
                "/queue/result", #"{"call_id":2,"outcome":"abandoned","abandoned":true,"retry_in":60}"#,
                key: server.diallerKey)
            #expect(abandoned.body == #"{"call_id":2,"state":"waiting","due_at":"2026-11-25T10:01:00Z"}"#)
            #expect(
                try await server.scalar(
                    "SELECT group_concat(call_id || ':' || abandoned || do_not_call, ' ') FROM call_attempts_report ORDER BY attempt_id")
                    == "1:01 2:10")
            server.clock.advance(seconds: 60)
            await server.worker.promoteNow()
            #expect(try await server.post("/queue/next", "", key: server.diallerKey).status == .noContent)
            #expect(try await server.scalar("SELECT held_by FROM calls_report WHERE call_id = 2") == "abandoned_hold")
            #expect(try await server.request(.get, "/metrics").body.contains(#"dialler_calls_held_total{rule="abandoned_hold"} 1"#))
            let bad = try await server.post(
                "/queue/result", #"{"call_id":2,"outcome":"x","abandoned":"yes","do_not_call":1}"#, key: server.diallerKey)
            #expect(bad.status == .badRequest)
            #expect(bad.body == #"{"abandoned":{"0":"Abandoned must be true or false."},"do_not_call":{"0":"Do Not Call must be true or false."}}"#)
        }
    }

    @Test func aLoadedListsAgeIsAMetric() async throws {
        try await withServer { (server: TestServer) async throws in
            let target = try await server.store.beginAdding(to: "tps")
            _ = try await server.store.importSuppressions(["+447700900001"], into: target, visible: true, reason: nil)
            try await server.store.finishAdding(target)
            server.clock.advance(seconds: 90)
            let metrics = try await server.request(.get, "/metrics").body
            #expect(metrics.contains(#"dialler_suppression_list_age_seconds{list="tps"} 90"#))
            #expect(metrics.contains(#"dialler_suppression_list_numbers{list="tps"} 1"#))
        }
    }
}

import DiallerStore
import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

extension TestServer {
    /// Submits a lead for `mobile`, lets it fall due, and claims it for `group`: the call's id.
    func queueAndClaim(mobile: String, type: String = "motor-trade", group: String = "motor-trade") async throws -> Int {
        _ = try await post("/lead/add", leadBody(mobile: mobile, type: type))
        clock.advance(seconds: 1)
        await worker.promoteNow()
        let claim = try await post("/queue/next", #"{"call_group":"\#(group)"}"#, key: diallerKey)
        try #require(claim.status == .ok, "\(claim.status) \(claim.body)")
        let id = try #require(claim.body.split(separator: ",").first?.split(separator: ":").last.flatMap { Int($0) })
        return id
    }

    /// Claims the call again after its retry fell due.
    func claimAgain(after seconds: Int, group: String = "motor-trade") async throws -> Reply {
        clock.advance(seconds: Double(seconds))
        await worker.promoteNow()
        return try await post("/queue/next", #"{"call_group":"\#(group)"}"#, key: diallerKey)
    }

    func result(_ body: String) async throws -> Reply {
        try await post("/queue/result", body, key: diallerKey)
    }
}

@Suite struct CallResultTests {
    @Test func aResultAndSuccessAreKeptOnTheAttemptTheStatusAndTheViews() async throws {
        try await withServer { (server: TestServer) async throws in
            let call = try await server.queueAndClaim(mobile: "07840258823")
            let done = try await server.result(#"{"call_id":\#(call),"result":"connected","success":true}"#)
            #expect(done.body == #"{"call_id":1,"state":"done"}"#)
            #expect(try await server.scalar("SELECT result || ' ' || success || ' ' || outcome FROM call_attempts_report") == "connected 1 connected")
            let status = try await server.request(.get, "/lead/status?lead_id=1&key=\(server.partnerKey)")
            #expect(status.body.hasSuffix(#""outcome":"connected","result":"connected"}}"#), "\(status.body)")
            #expect(
                try await server.scalar("SELECT minute || ' ' || live || ' ' || abandoned FROM abandon_rate_minutes")
                    == "2026-11-25T10:00:00.000Z 1 0")
        }
    }

    @Test func theCallFinishedWebhookCarriesTheResultAndSuccess() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.changeWebhookEndpoint(
                partner: "acme", WebhookEndpointChange(url: "https://partner.example/hooks", events: [.callFinished]))
            let sale = try await server.queueAndClaim(mobile: "07840258823")
            _ = try await server.result(#"{"call_id":\#(sale),"outcome":"sale","result":"connected","success":true}"#)
            let machine = try await server.queueAndClaim(mobile: "07840258824")
            _ = try await server.result(#"{"call_id":\#(machine),"result":"machine"}"#)
            let legacy = try await server.queueAndClaim(mobile: "07840258825")
            _ = try await server.result(#"{"call_id":\#(legacy),"outcome":"no answer"}"#)
            let rows = try await server.store.read { connection in
                try connection.query(
                    """
                    SELECT json_extract(payload, '$.data.outcome'), json_extract(payload, '$.data.result'),
                           json_type(payload, '$.data.success'), json_type(payload, '$.data.result')
                    FROM webhook_events ORDER BY event_id
                    """
                ) { "\($0.text(0)) \($0.optionalText(1) ?? "-") \($0.text(2)) \($0.text(3))" }
            }
            #expect(rows == ["sale connected true text", "machine machine false text", "no answer - null null"])
        }
    }

    @Test func eachResultFollowsItsRecyclingRule() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec(
                """
                INSERT INTO recycling_rules VALUES ('motor-trade', 'no_answer', 7200, 5), ('motor-trade', 'busy', 600, 3),
                                                   ('motor-trade', 'machine', 14400, 3), ('motor-trade', 'invalid_number', 0, 0),
                                                   ('motor-trade', 'failed', 60, 1);
                """)
            let cases: [(result: String, body: String)] = [
                ("no_answer", #""state":"waiting","due_at":"2026-11-25T12:00:01Z","rule":"no_answer"}"#),
                ("busy", #""state":"waiting","due_at":"2026-11-25T10:10:02Z","rule":"busy"}"#),
                ("machine", #""state":"waiting","due_at":"2026-11-25T14:00:03Z","rule":"machine"}"#),
                ("invalid_number", #""state":"done","reason":"recycle_limit","rule":"invalid_number"}"#),
                ("failed", #""state":"waiting","due_at":"2026-11-25T10:01:05Z","rule":"failed"}"#),
                // No rule for these: the call ends, as it always did without retry_in.
                ("connected", #""state":"done"}"#),
                ("abandoned", #""state":"done"}"#),
            ]
            for (index, item) in cases.enumerated() {
                let call = try await server.queueAndClaim(mobile: "0791100000\(index)")
                let answer = try await server.result(#"{"call_id":\#(call),"result":"\#(item.result)"}"#)
                #expect(answer.status == .ok)
                #expect(answer.body == #"{"call_id":\#(call),"# + item.body, "\(item.result)")
            }
            #expect(
                try await server.scalar("SELECT group_concat(result, ',') FROM (SELECT result FROM call_attempts_report ORDER BY attempt_id)")
                    == "no_answer,busy,machine,invalid_number,failed,connected,abandoned")
            // The rule's due time stands in the calls the supervisors see.
            #expect(try await server.scalar("SELECT state || ' ' || due_at FROM calls_report WHERE call_id = 1") == "waiting 2026-11-25T12:00:01Z")
        }
    }

    @Test func aRulesLimitFinishesTheCallAndOtherResultsCountApart() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec("INSERT INTO recycling_rules VALUES ('motor-trade', 'busy', 600, 2), ('motor-trade', 'no_answer', 3600, 1)")
            let call = try await server.queueAndClaim(mobile: "07840258823")
            #expect(try await server.result(#"{"call_id":\#(call),"result":"busy"}"#).body.contains(#""state":"waiting""#))
            #expect(try await server.claimAgain(after: 600).status == .ok)
            // Another result does not spend busy's count.
            #expect(try await server.result(#"{"call_id":\#(call),"result":"no_answer"}"#).body.contains(#""rule":"no_answer""#))
            #expect(try await server.claimAgain(after: 3600).status == .ok)
            #expect(try await server.result(#"{"call_id":\#(call),"result":"busy"}"#).body.contains(#""state":"waiting""#))
            #expect(try await server.claimAgain(after: 600).status == .ok)
            let spent = try await server.result(#"{"call_id":\#(call),"result":"busy"}"#)
            #expect(spent.body == #"{"call_id":1,"state":"done","reason":"recycle_limit","rule":"busy"}"#)
            #expect(try await server.scalar("SELECT state || ' ' || attempts FROM calls_report") == "done 4")
        }
    }

    @Test func theTypesMaxAttemptsAndMinRetryStillApplyToRules() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec(
                """
                UPDATE lead_types SET max_attempts = 2, min_retry_seconds = 900 WHERE name = 'motor-trade';
                INSERT INTO recycling_rules VALUES ('motor-trade', 'busy', 60, 10);
                """)
            let call = try await server.queueAndClaim(mobile: "07840258823")
            #expect(
                try await server.result(#"{"call_id":\#(call),"result":"busy"}"#).body
                    == #"{"call_id":1,"state":"waiting","due_at":"2026-11-25T10:15:01Z","rule":"busy"}"#)
            #expect(try await server.claimAgain(after: 900).status == .ok)
            #expect(
                try await server.result(#"{"call_id":\#(call),"result":"busy"}"#).body
                    == #"{"call_id":1,"state":"done","reason":"max_attempts","rule":"busy"}"#)
        }
    }

    @Test func aDiallersRetryInWinsOverTheRule() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec("INSERT INTO recycling_rules VALUES ('motor-trade', 'no_answer', 7200, 0)")
            let call = try await server.queueAndClaim(mobile: "07840258823")
            let answer = try await server.result(#"{"call_id":\#(call),"result":"no_answer","retry_in":60}"#)
            #expect(answer.body == #"{"call_id":1,"state":"waiting","due_at":"2026-11-25T10:01:01Z"}"#)
        }
    }

    @Test func anOlderDiallerWithoutResultWorksAsBeforeAndCountsInNoRate() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec("INSERT INTO recycling_rules VALUES ('motor-trade', 'no_answer', 7200, 5)")
            let first = try await server.queueAndClaim(mobile: "07840258823")
            #expect(try await server.result(#"{"call_id":\#(first),"outcome":"no answer"}"#).body == #"{"call_id":1,"state":"done"}"#)
            let second = try await server.queueAndClaim(mobile: "07840258824")
            #expect(
                try await server.result(#"{"call_id":\#(second),"outcome":"no answer","retry_in":"3600"}"#).body
                    == #"{"call_id":2,"state":"waiting","due_at":"2026-11-25T11:00:02Z"}"#)
            #expect(
                try await server.scalar(
                    "SELECT count(*) FROM call_attempts_report WHERE result IS NULL AND success IS NULL AND finished_at IS NOT NULL") == "2")
            #expect(
                try await server.scalar("SELECT sum(live) || ' ' || sum(unreported) FROM abandon_rate_minutes WHERE call_group = 'motor-trade'")
                    == "0 2")
            #expect(server.store.abandonRate(callGroup: "motor-trade").live == 0)
            let status = try await server.request(.get, "/lead/status?lead_id=1&key=\(server.partnerKey)")
            #expect(status.body.hasSuffix(#""outcome":"no answer","result":null}}"#), "\(status.body)")
        }
    }

    @Test func theOldAbandonedFlagMeansTheAbandonedResult() async throws {
        try await withServer { (server: TestServer) async throws in
            let call = try await server.queueAndClaim(mobile: "07840258823")
            #expect(try await server.result(#"{"call_id":\#(call),"outcome":"dropped","abandoned":true}"#).status == .ok)
            #expect(try await server.scalar("SELECT result || ' ' || abandoned FROM call_attempts_report") == "abandoned 1")
            #expect(server.store.abandonRate(callGroup: "motor-trade") == .init(callGroup: "motor-trade", live: 1, abandoned: 1))
            let both = try await server.queueAndClaim(mobile: "07840258824")
            #expect(try await server.result(#"{"call_id":\#(both),"result":"abandoned","abandoned":true}"#).status == .ok)
        }
    }

    @Test(arguments: [
        (
            #"{"call_id":1,"result":"answered"}"#,
            #"{"result":{"0":"Result is not one of connected, abandoned, machine, no_answer, busy, invalid_number, failed."}}"#
        ),
        (#"{"call_id":1,"result":7}"#, #"{"result":{"0":"Result must be a string."}}"#),
        (#"{"call_id":1,"result":"machine","abandoned":true}"#, #"{"abandoned":{"0":"Abandoned cannot be true when Result is machine."}}"#),
        (#"{"call_id":1,"result":"busy","success":true}"#, #"{"success":{"0":"Success can only be true when Result is connected."}}"#),
        (#"{"call_id":1,"outcome":"sale","success":true}"#, #"{"success":{"0":"Success can only be true when Result is connected."}}"#),
        (#"{"call_id":1,"result":"connected","success":"yes"}"#, #"{"success":{"0":"Success must be true or false."}}"#),
    ])
    func badResultsAreRefusedAndChangeNothing(body: String, expected: String) async throws {
        try await withServer { (server: TestServer) async throws in
            let call = try await server.queueAndClaim(mobile: "07840258823")
            #expect(call == 1)
            let answer = try await server.result(body)
            #expect(answer.status == .badRequest)
            #expect(answer.body == expected)
            #expect(try await server.scalar("SELECT state FROM calls_report") == "dialling")
            #expect(try await server.scalar("SELECT count(*) FROM call_attempts_report WHERE finished_at IS NULL") == "1")
            #expect(try await server.scalar("SELECT count(*) FROM abandon_rate_minutes") == "0")
        }
    }
}

import DiallerStore
import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

/// `GET /lead/status?lead_id=N` and `POST /lead/status`: a partner follows its own leads to their
/// call's end; anything else is `404`.
@Suite struct LeadStatusTests {
    static func status(_ id: Int, _ outcome: String = "processed", call: String) -> String {
        #"{"lead_id":\#(id),"received_at":"2026-11-25T10:00:00Z","type":"motor-trade","outcome":"\#(outcome)","call":\#(call)}"#
    }

    static func call(_ state: String, attempts: Int = 0, finishedAt: String? = nil, outcome: String? = nil, result: String? = nil) -> String {
        let finished = finishedAt.map { "\"\($0)\"" } ?? "null"
        let ended = outcome.map { "\"\($0)\"" } ?? "null"
        return
            #"{"call_id":1,"state":"\#(state)","due_at":"2026-11-25T10:10:00Z","attempts":\#(attempts),"finished_at":\#(finished),"outcome":\#(ended),"result":\#(result.map { "\"\($0)\"" } ?? "null")}"#
    }

    @Test func aLeadIsFollowedThroughEveryStateOfItsCall() async throws {
        try await withServer { (server: TestServer) async throws in
            let added = try await server.post("/lead/add", leadBody(extra: #","delays":600"#))
            let id = try #require(added.headers[.xLeadID])
            func byID() async throws -> TestServer.Reply { try await server.request(.get, "/lead/status?lead_id=\(id)&key=\(server.partnerKey)") }
            func byPair() async throws -> String {
                try await server.post("/lead/status", #"{"type":"motor-trade","mobile":"+44 7840 258823"}"#).body
            }
            let waiting = try await byID()
            #expect(waiting.status == .ok && waiting.headers[.contentType] == "application/json")
            #expect(waiting.body == Self.status(1, call: Self.call("waiting")))
            #expect(try await byPair() == waiting.body)

            server.clock.advance(seconds: 600)
            await server.worker.promoteNow()
            #expect(try await byID().body == Self.status(1, call: Self.call("queued")))

            _ = try await server.post("/queue/next", "{}", key: server.diallerKey)
            #expect(try await byID().body == Self.status(1, call: Self.call("dialling", attempts: 1)))

            server.clock.advance(seconds: 120)
            _ = try await server.post("/queue/result", #"{"call_id":1,"outcome":"sale"}"#, key: server.diallerKey)
            #expect(
                try await byID().body == Self.status(1, call: Self.call("done", attempts: 1, finishedAt: "2026-11-25T10:12:00Z", outcome: "sale")))
            #expect(try await byPair() == Self.status(1, call: Self.call("done", attempts: 1, finishedAt: "2026-11-25T10:12:00Z", outcome: "sale")))
        }
    }

    @Test func aCancelledCallAndLeadsWithoutCalls() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody(extra: #","delays":600"#))
            _ = try await server.post("/lead/cancel", #"{"type":"motor-trade","mobile":"07840258823"}"#)
            let cancelled = try await server.request(.get, "/lead/status?key=\(server.partnerKey)&lead_id=1")
            #expect(
                cancelled.body == Self.status(1, call: Self.call("cancelled", finishedAt: "2026-11-25T10:00:00Z", outcome: "cancelled by partner")))

            _ = try await server.post("/lead/add", leadBody(type: "no-such-type"))
            let unknown = try await server.request(.get, "/lead/status?lead_id=2&key=\(server.partnerKey)")
            #expect(unknown.body == #"{"lead_id":2,"received_at":"2026-11-25T10:00:00Z","type":"no-such-type","outcome":"unknown_type","call":null}"#)

            _ = try await server.post("/lead/add", leadBody(extra: #","delays":600"#))
            _ = try await server.post("/lead/add", leadBody(extra: #","delays":600"#))
            #expect(
                try await server.request(.get, "/lead/status?lead_id=4&key=\(server.partnerKey)").body
                    == Self.status(4, "already_scheduled", call: "null"))
            // The pair's latest lead is the last one sent.
            #expect(
                try await server.post("/lead/status", #"{"type":"motor-trade","mobile":"07840258823"}"#).body
                    == Self.status(4, "already_scheduled", call: "null"))
        }
    }

    @Test func anotherPartnersLeadAndAnythingElseIs404() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            let notFound = #"{"error":"Not found"}"#
            for query in [
                "lead_id=1&key=\(server.otherPartnerKey)", "lead_id=2&key=\(server.partnerKey)",
                "lead_id=abc&key=\(server.partnerKey)", "lead_id=0&key=\(server.partnerKey)",
                "lead_id=-1&key=\(server.partnerKey)", "key=\(server.partnerKey)",
            ] {
                let reply = try await server.request(.get, "/lead/status?\(query)")
                #expect(reply.status == .notFound && reply.body == notFound, "\(query)")
            }
            let theirs = try await server.post("/lead/status", #"{"type":"motor-trade","mobile":"07840258823"}"#, key: server.otherPartnerKey)
            #expect(theirs.status == .notFound && theirs.body == notFound)
            let otherType = try await server.post("/lead/status", #"{"type":"van-insurance","mobile":"07840258823"}"#)
            #expect(otherType.status == .notFound)
            #expect(try await server.request(.get, "/lead/status?lead_id=1&key=\(server.diallerKey)").status == .unauthorized)
            #expect(try await server.request(.get, "/lead/status?lead_id=1").status == .unauthorized)
            #expect(try await server.request(.delete, "/lead/status?lead_id=1").headers[.allow] == "GET, POST")
        }
    }

    @Test func thePairIsValidatedAsACancelIs() async throws {
        try await withServer { (server: TestServer) async throws in
            let blank = try await server.post("/lead/status", "{}")
            #expect(blank.status == .badRequest && blank.body == #"{"mobile":{"0":"Mobile cannot be blank."},"type":{"0":"Type cannot be blank."}}"#)
            let invalid = try await server.post("/lead/status", #"{"type":"motor-trade","mobile":"123"}"#)
            #expect(invalid.status == .badRequest && invalid.body == #"{"mobile":{"0":"Mobile is not a valid phone number."}}"#)
            #expect(try await server.post("/lead/status", "[]").status == .badRequest)
        }
    }
}

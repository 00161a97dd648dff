import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

/// Through the real server: a lead due at once is in the queue when `/lead/add` answers, with no
/// promotion tick between; a lead due later, or outside its type's calling hours, waits for one.
@Suite struct QueueAtIntakeAPITests {
    /// A counter's value on `/metrics` (0 when it is not there yet).
    static func counter(_ name: String, in server: TestServer) async throws -> Int {
        let text = try await server.request(.get, "/metrics").body
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last!) }.map { Int($0) } ?? 0
    }

    /// Waits for the worker's first tick, which its timer fires as it starts (the next is an hour away).
    static func afterTheStartingTick(_ server: TestServer) async throws {
        for _ in 0..<500 where server.worker.lastTickAt == nil { try await Task.sleep(for: .milliseconds(10)) }
        try #require(server.worker.lastTickAt != nil)
    }

    static func status(_ server: TestServer, lead: Int) async throws -> String {
        try await server.request(.get, "/lead/status?lead_id=\(lead)&key=\(server.partnerKey)").body
    }

    @Test func aLeadDueAtOnceIsClaimableWithNoPromotionTick() async throws {
        try await withServer { (server: TestServer) async throws in
            try await Self.afterTheStartingTick(server)
            let ticks = try await Self.counter("dialler_promotion_ticks_total", in: server)
            let added = try await server.post("/lead/add", leadBody(extra: #","delays":0"#))
            #expect(added.body == #"{"saved":true,"processed":true}"#)
            #expect(
                try await Self.status(server, lead: 1)
                    == #"{"lead_id":1,"received_at":"2026-11-25T10:00:00Z","type":"motor-trade","outcome":"processed","call":{"call_id":1,"state":"queued","due_at":"2026-11-25T10:00:00Z","attempts":0,"finished_at":null,"outcome":null,"result":null}}"#
            )
            let claim = try await server.post("/queue/next", "", key: server.diallerKey)
            #expect(claim.status == .ok)
            #expect(claim.body.hasPrefix(#"{"call_id":1,"lead_id":1,"mobile":"+447840258823","#))
            // No tick ran in between, and the worker promoted nothing: intake queued the call.
            #expect(try await Self.counter("dialler_promotion_ticks_total", in: server) == ticks)
            #expect(try await Self.counter("dialler_calls_promoted_total", in: server) == 0)
            // Speed-to-lead counts from the due time, as for a promoted call.
            #expect(
                try await server.scalar("SELECT first_claimed_at || ' ' || first_due_at FROM calls")
                    == "2026-11-25T10:00:00.000Z 2026-11-25T10:00:00.000Z")
        }
    }

    @Test func aDelayedLeadWaitsAndIsPromotedLater() async throws {
        try await withServer { (server: TestServer) async throws in
            try await Self.afterTheStartingTick(server)
            _ = try await server.post("/lead/add", leadBody(extra: #","delays":60"#))
            let waiting =
                #"{"lead_id":1,"received_at":"2026-11-25T10:00:00Z","type":"motor-trade","outcome":"processed","call":{"call_id":1,"state":"waiting","due_at":"2026-11-25T10:01:00Z","attempts":0,"finished_at":null,"outcome":null,"result":null}}"#
            #expect(try await Self.status(server, lead: 1) == waiting)
            #expect(try await server.post("/queue/next", "", key: server.diallerKey).status == .noContent)
            server.clock.advance(seconds: 60)
            await server.worker.promoteNow()
            #expect(try await Self.status(server, lead: 1) == waiting.replacingOccurrences(of: #""waiting""#, with: #""queued""#))
            #expect(try await Self.counter("dialler_calls_promoted_total", in: server) == 1)
            #expect(try await server.post("/queue/next", "", key: server.diallerKey).status == .ok)
        }
    }

    @Test func aLeadOutsideItsTypesCallingHoursWaits() async throws {
        try await withServer { (server: TestServer) async throws in
            // 10:00 on Wednesday 25 November (GMT); this type calls at weekends only.
            try await server.exec(
                """
                INSERT INTO lead_types(name, window_start, window_end, window_days, time_zone)
                VALUES ('weekend', '09:00', '17:00', 'sat,sun', 'Europe/London')
                """)
            let added = try await server.post("/lead/add", leadBody(type: "weekend", extra: #","delays":0"#))
            #expect(added.body == #"{"saved":true,"processed":true}"#)
            #expect(
                try await Self.status(server, lead: 1)
                    == #"{"lead_id":1,"received_at":"2026-11-25T10:00:00Z","type":"weekend","outcome":"processed","call":{"call_id":1,"state":"waiting","due_at":"2026-11-28T09:00:00Z","attempts":0,"finished_at":null,"outcome":null,"result":null}}"#
            )
            #expect(try await server.post("/queue/next", "", key: server.diallerKey).status == .noContent)
            #expect(try await server.scalar("SELECT count(*) FROM call_queue") == "0")
        }
    }
}

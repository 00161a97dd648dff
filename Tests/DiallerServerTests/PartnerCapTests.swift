import Foundation
import Hummingbird
import Testing

@testable import DiallerServer
@testable import DiallerStore

/// Partners' daily caps: how many of a partner's leads of a type may become calls per local day.
@Suite struct PartnerCapTests {
    static let processed = #"{"saved":true,"processed":true}"#
    static let capped = #"{"saved":true,"processed":false,"error":"Daily cap reached"}"#

    static func mobile(_ n: Int) -> String { "0791110" + String(format: "%04d", n) }

    /// Moves the injected clock to `iso` (an ISO-8601 UTC time with milliseconds).
    static func setClock(_ server: TestServer, _ iso: String) {
        let target = Timestamp(iso8601: iso)!
        server.clock.advance(seconds: Double(target.milliseconds - server.clock.now().milliseconds) / 1000)
    }

    @Test func sixtyFourConcurrentLeadsAgainstACapOfTenMakeExactlyTenCalls() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: 10)
            let replies = try await withThrowingTaskGroup(of: TestServer.Reply.self) { group in
                for n in 0..<64 { group.addTask { try await server.post("/lead/add", leadBody(mobile: Self.mobile(n))) } }
                return try await group.reduce(into: [TestServer.Reply]()) { $0.append($1) }
            }
            #expect(replies.filter { $0.body == Self.processed }.count == 10)
            #expect(replies.filter { $0.body == Self.capped }.count == 54)
            #expect(replies.allSatisfy { $0.status == .ok && $0.headers[.xLeadID] != nil })
            #expect(Set(replies.compactMap { $0.headers[.xLeadID] }).count == 64)
            #expect(try await server.scalar("SELECT count(*) FROM calls") == "10")
            #expect(try await server.scalar("SELECT count(*) FROM leads WHERE outcome = 'daily_cap'") == "54")
            #expect(try await server.scalar("SELECT calls FROM partner_day_counts") == "10")
            // Another partner's leads of the same type are not held by acme's cap.
            #expect(try await server.post("/lead/add", leadBody(mobile: Self.mobile(100)), key: server.otherPartnerKey).body == Self.processed)
        }
    }

    /// Europe/London springs forward on 29 March 2026: that local day runs 00:00Z to 23:00Z.
    /// America/New_York falls back on 1 November 2026: that local day runs 04:00Z to 05:00Z next day.
    @Test func theDayRunsMidnightToMidnightInTheTypesTimeZoneAcrossDaylightSaving() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec("INSERT INTO lead_types(name, time_zone) VALUES ('us', 'America/New_York')")
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: 1)
            _ = try await server.store.setDailyCap(partner: "acme", type: "us", perDay: 1)
            var n = 0
            func lead(_ type: String, at time: String) async throws -> String {
                Self.setClock(server, time)
                n += 1
                return try await server.post("/lead/add", leadBody(mobile: Self.mobile(n), type: type)).body
            }
            #expect(try await lead("motor-trade", at: "2026-03-28T23:30:00.000Z") == Self.processed)  // 23:30 GMT, the 28th
            #expect(try await lead("motor-trade", at: "2026-03-29T00:10:00.000Z") == Self.processed)  // 00:10 GMT, the 29th
            #expect(try await lead("motor-trade", at: "2026-03-29T22:50:00.000Z") == Self.capped)  // 23:50 BST, the 29th
            #expect(try await lead("motor-trade", at: "2026-03-29T23:10:00.000Z") == Self.processed)  // 00:10 BST, the 30th

            #expect(try await lead("us", at: "2026-11-01T04:30:00.000Z") == Self.processed)  // 00:30 EDT, the 1st
            #expect(try await lead("us", at: "2026-11-02T04:30:00.000Z") == Self.capped)  // 23:30 EST, still the 1st
            #expect(try await lead("us", at: "2026-11-02T05:10:00.000Z") == Self.processed)  // 00:10 EST, the 2nd

            let days = try await server.store.read { connection in
                try connection.query(
                    """
                    SELECT t.name, d.day, d.starts_at, d.ends_at, d.calls FROM partner_day_counts d
                    JOIN lead_types t USING (lead_type_id) ORDER BY d.starts_at
                    """
                ) { "\($0.text(0)) \($0.text(1)) \($0.text(2)) \($0.text(3)) \($0.int(4))" }
            }
            #expect(
                days == [
                    "motor-trade 2026-03-28 2026-03-28T00:00:00.000Z 2026-03-29T00:00:00.000Z 1",
                    "motor-trade 2026-03-29 2026-03-29T00:00:00.000Z 2026-03-29T23:00:00.000Z 1",
                    "motor-trade 2026-03-30 2026-03-29T23:00:00.000Z 2026-03-30T23:00:00.000Z 1",
                    "us 2026-11-01 2026-11-01T04:00:00.000Z 2026-11-02T05:00:00.000Z 1",
                    "us 2026-11-02 2026-11-02T05:00:00.000Z 2026-11-03T05:00:00.000Z 1",
                ])
        }
    }

    /// A cap of 0 set before the day's first lead: that lead is refused and nothing is counted,
    /// the next day starts refused too, and lifting the cap lets the next lead through.
    @Test func aCapOfZeroRefusesTheDaysFirstLeadAndCountsNothing() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: 0)
            #expect(try await server.post("/lead/add", leadBody(mobile: Self.mobile(1))).body == Self.capped)
            #expect(try await server.scalar("SELECT count(*) FROM partner_day_counts") == "0")
            server.clock.advance(seconds: 86_400)
            #expect(try await server.post("/lead/add", leadBody(mobile: Self.mobile(2))).body == Self.capped)
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: nil)
            #expect(try await server.post("/lead/add", leadBody(mobile: Self.mobile(3))).body == Self.processed)
            #expect(try await server.scalar("SELECT count(*) FROM calls") == "1")
            #expect(try await server.scalar("SELECT group_concat(calls) FROM partner_day_counts") == "1")
        }
    }

    @Test func aCapChangedMidDayAppliesToTheNextLead() async throws {
        try await withServer { (server: TestServer) async throws in
            var n = 0
            func lead() async throws -> String {
                n += 1
                return try await server.post("/lead/add", leadBody(mobile: Self.mobile(n))).body
            }
            // Leads before any cap count too: a cap set at noon knows the morning's calls.
            #expect(try await lead() == Self.processed)
            #expect(try await lead() == Self.processed)
            let set = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: 2)
            #expect(set == PartnerCap(partner: "acme", type: "motor-trade", perDay: 2, usedToday: 2, day: "2026-11-25"))
            #expect(try await lead() == Self.capped)
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: 3)
            #expect(try await lead() == Self.processed)
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: 0)
            #expect(try await lead() == Self.capped)
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: nil)
            #expect(try await lead() == Self.processed)
            #expect(try await server.scalar("SELECT count(*) FROM partner_caps") == "0")
            // A capped lead is saved, with its own id and status, and made no call.
            let status = try await server.request(.get, "/lead/status?lead_id=3&key=\(server.partnerKey)")
            #expect(status.body.contains(#""outcome":"daily_cap","call":null"#), "\(status.body)")
        }
    }

    @Test func batchItemsAreDecidedInOrderAndOnlyLeadsThatWouldBecomeCallsCount() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: 2)
            let items = [
                leadBody(mobile: Self.mobile(1)),
                leadBody(mobile: Self.mobile(1)),  // already scheduled: does not count
                leadBody(mobile: Self.mobile(2), extra: #","test":true"#),  // test mode: validated only
                leadBody(mobile: Self.mobile(3)),
                leadBody(mobile: Self.mobile(4)),
                leadBody(mobile: Self.mobile(5), type: "van-insurance"),  // another type: no cap
            ]
            let reply = try await server.post("/lead/batch", "[" + items.joined(separator: ",") + "]")
            #expect(
                reply.body == #"{"results":["#
                    + #"{"index":0,"status":200,"lead_id":1,"body":\#(Self.processed)},"#
                    + #"{"index":1,"status":200,"lead_id":2,"body":{"saved":true,"processed":false,"error":"Another call is already scheduled"}},"#
                    + #"{"index":2,"status":200,"body":{"test":"ok"}},"#
                    + #"{"index":3,"status":200,"lead_id":3,"body":\#(Self.processed)},"#
                    + #"{"index":4,"status":200,"lead_id":4,"body":\#(Self.capped)},"#
                    + #"{"index":5,"status":200,"lead_id":5,"body":\#(Self.processed)}]}"#)
            // Test mode answers as it always has, cap or not.
            let test = try await server.post("/lead/add", leadBody(mobile: Self.mobile(6), extra: #","test":true"#))
            #expect(test.body == #"{"test":"ok"}"#)
            let metrics = try await server.request(.get, "/metrics").body
            #expect(metrics.contains(#"dialler_leads_total{partner="acme",type="motor-trade",outcome="daily_cap"} 1"#), "\(metrics)")
        }
    }

    /// partner_caps_report against the same question asked of the leads table: how many of the
    /// partner's leads of the type made calls since the local midnight (worked out here, in Swift).
    @Test func theCapsReportEqualsTheSameQuestionAskedOfTheLeads() async throws {
        try await withServer { (server: TestServer) async throws in
            // The view's "today" is the real one: the injected clock is set to the real time.
            Self.setClock(server, Timestamp(Date()).iso8601)
            try await server.exec("INSERT INTO lead_types(name, time_zone) VALUES ('far', 'Pacific/Kiritimati')")
            _ = try await server.store.setDailyCap(partner: "acme", type: "motor-trade", perDay: 3)
            _ = try await server.store.setDailyCap(partner: "acme", type: "far", perDay: 5)
            _ = try await server.store.setDailyCap(partner: "rival", type: "motor-trade", perDay: 7)
            for n in 0..<5 { _ = try await server.post("/lead/add", leadBody(mobile: Self.mobile(n))) }
            for n in 0..<2 { _ = try await server.post("/lead/add", leadBody(mobile: Self.mobile(n), type: "far")) }
            _ = try await server.post("/lead/add", leadBody(mobile: Self.mobile(9)), key: server.otherPartnerKey)
            let view = try await server.store.read { connection in
                try connection.query("SELECT partner, type, cap, used_today, remaining FROM partner_caps_report ORDER BY partner, type") {
                    "\($0.text(0)) \($0.text(1)) \($0.int(2)) \($0.int(3)) \($0.int(4))"
                }
            }
            var expected: [String] = []
            for (partner, type, cap) in [("acme", "far", 5), ("acme", "motor-trade", 3), ("rival", "motor-trade", 7)] {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: type == "far" ? "Pacific/Kiritimati" : "Europe/London")!
                let start = calendar.startOfDay(for: Date())
                let end = calendar.date(byAdding: .day, value: 1, to: start)!
                let used = try await server.store.read { connection in
                    try connection.queryFirst(
                        """
                        SELECT count(*) FROM leads l JOIN partners p USING (partner_id)
                        WHERE p.name = ? AND l.type = ? AND l.outcome = 'processed' AND l.received_at >= ? AND l.received_at < ?
                        """, .text(partner), .text(type), .text(Timestamp(start).iso8601), .text(Timestamp(end).iso8601)
                    ) { $0.int(0) }!
                }
                expected.append("\(partner) \(type) \(cap) \(used) \(max(cap - used, 0))")
            }
            #expect(view == expected)
            #expect(view == ["acme far 5 2 3", "acme motor-trade 3 3 0", "rival motor-trade 7 1 6"])
        }
    }
}

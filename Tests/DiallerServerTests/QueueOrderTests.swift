import Foundation
import Synchronization
import Testing

@testable import DiallerServer
@testable import DiallerStore

/// Who is called next: priority, first attempts before retries, newest-first types, ties by
/// call id; per call group and across groups; one index seek per claim.
@Suite struct QueueOrderTests {
    /// A backlog in group motor-trade (plus one call in group home), built through the real
    /// server with the injected clock; the names are the leads' mobiles' last two digits.
    ///
    ///     hot      priority 80, newest first   C 10:00:15, C2 10:00:15, D 10:00:25
    ///     home     priority 60 (group home)    H 10:00:25
    ///     motor    priority 50, oldest first   A 10:00:05, B 10:00:15, B2 10:00:15, F (van) 10:00:25
    ///                                          R: a retry, due 10:00:05 (before all but A)
    ///     cold     priority 20                 E 10:00:25
    static func backlog(_ server: TestServer) async throws {
        try await server.exec(
            """
            INSERT INTO lead_types(name, call_group, priority, fresh_order) VALUES ('hot', 'motor-trade', 80, 'newest');
            INSERT INTO lead_types(name, call_group, priority) VALUES ('cold', 'motor-trade', 20);
            INSERT INTO lead_types(name, priority) VALUES ('home', 60);
            """)
        func add(_ name: String, _ type: String) async throws {
            let reply = try await server.post("/lead/add", leadBody(mobile: mobile(name), type: type))
            #expect(reply.body == #"{"saved":true,"processed":true}"#, "\(name)")
        }
        // R is claimed first and, at 10:00:05, asks for a retry at once: no longer a first attempt.
        try await add("R", "motor-trade")
        await server.worker.promoteNow()
        let claim = try await server.post("/queue/next", "", key: server.diallerKey)
        #expect(claim.body.contains(mobileE164("R")))
        server.clock.advance(seconds: 5)
        _ = try await server.post("/queue/result", #"{"call_id":1,"outcome":"no answer","retry_in":0}"#, key: server.diallerKey)
        try await add("A", "motor-trade")
        server.clock.advance(seconds: 10)
        try await add("C", "hot")
        try await add("B", "motor-trade")
        try await add("C2", "hot")
        try await add("B2", "motor-trade")
        server.clock.advance(seconds: 10)
        try await add("E", "cold")
        try await add("D", "hot")
        try await add("F", "van-insurance")
        try await add("H", "home")
        await server.worker.promoteNow()
    }

    static let names = [
        "R": "01", "A": "02", "B": "03", "B2": "04", "C": "05", "C2": "06", "D": "07", "E": "08", "F": "09", "H": "10",
        "S": "11", "S2": "12", "G": "13", "G2": "14", "O": "15",
    ]

    /// The backlog plus three more groups whose calls fall between the others' in the dialling
    /// order: solar (priority 60, as home), gas (priority 80, as hot; newest first) and oil
    /// (priority 50, as motor: its first attempt O goes before motor's retry R, due earlier).
    static func backlogAcrossGroups(_ server: TestServer) async throws {
        try await backlog(server)
        try await server.exec(
            """
            INSERT INTO lead_types(name, priority) VALUES ('solar', 60);
            INSERT INTO lead_types(name, priority, fresh_order) VALUES ('gas', 80, 'newest');
            INSERT INTO lead_types(name, priority) VALUES ('oil', 50);
            """)
        // S is due at the same instant as H, of the same priority: the call id breaks the tie.
        for (name, type) in [("S", "solar"), ("G", "gas"), ("S2", "solar"), ("G2", "gas"), ("O", "oil")] {
            if name != "S" { server.clock.advance(seconds: 1) }
            let reply = try await server.post("/lead/add", leadBody(mobile: mobile(name), type: type))
            #expect(reply.body == #"{"saved":true,"processed":true}"#, "\(name)")
        }
    }
    static func mobile(_ name: String) -> String { "079111000" + names[name]! }
    static func mobileE164(_ name: String) -> String { "+4479111000" + names[name]! }
    static func name(ofMobile mobile: String) -> String { names.first { mobileE164($0.key) == mobile }!.key }

    /// Claims until the queue (or the group's part of it) is empty; answers the names in order.
    static func claimAll(_ server: TestServer, body: String) async throws -> [String] {
        var order: [String] = []
        while true {
            let reply = try await server.post("/queue/next", body, key: server.diallerKey)
            if reply.status == .noContent { return order }
            let mobile = try #require(reply.body.firstMatch(of: /"mobile":"(\+\d+)"/)?.1)
            order.append(name(ofMobile: String(mobile)))
        }
    }

    @Test func aCallGroupIsDialledByPriorityFirstAttemptsNewestFirstWhereAskedThenRetries() async throws {
        try await withServer { (server: TestServer) async throws in
            try await Self.backlog(server)
            let expected = ["D", "C", "C2", "A", "B", "B2", "F", "R", "E"]
            let report = try await server.store.read { connection in
                try connection.query("SELECT mobile, priority, first_attempt FROM queue_report WHERE call_group = 'motor-trade'") {
                    "\(Self.name(ofMobile: $0.text(0))) \($0.int(1)) \($0.int(2))"
                }
            }
            #expect(report == ["D 80 1", "C 80 1", "C2 80 1", "A 50 1", "B 50 1", "B2 50 1", "F 50 1", "R 50 0", "E 20 1"])
            #expect(try await Self.claimAll(server, body: #"{"call_group":"motor-trade"}"#) == expected)
            #expect(try await Self.claimAll(server, body: "") == ["H"])
        }
    }

    @Test func aClaimWithoutAGroupTakesTheSameOrderAcrossGroups() async throws {
        try await withServer { (server: TestServer) async throws in
            try await Self.backlog(server)
            #expect(try await Self.claimAll(server, body: "{}") == ["D", "C", "C2", "H", "A", "B", "B2", "F", "R", "E"])
        }
    }

    @Test func aTypesNewPriorityAndFreshOrderReachCallsAlreadyQueued() async throws {
        try await withServer { (server: TestServer) async throws in
            try await Self.backlog(server)
            try await server.exec("UPDATE lead_types SET priority = 10, fresh_order = 'oldest' WHERE name = 'hot'")
            #expect(try await Self.claimAll(server, body: "{}") == ["H", "A", "B", "B2", "F", "R", "E", "C", "C2", "D"])
        }
    }

    /// With groups paused by the abandoned-call guard, a claim from any group takes the calls of
    /// the others in the same order as the whole queue's, the paused groups' calls left in place.
    @Test func aClaimPastPausedGroupsKeepsTheDiallingOrderOfTheOthers() async throws {
        let claimed = Mutex<[String]>([])
        try await withServer { (server: TestServer) async throws in
            try await Self.backlogAcrossGroups(server)
            let order = try await Self.claimAll(server, body: "{}")
            claimed.withLock { $0 = order }
        }
        let whole = claimed.withLock { $0 }
        #expect(whole.count == 15, "\(whole)")
        #expect(whole.firstIndex(of: "O")! < whole.firstIndex(of: "R")!, "\(whole)")
        #expect(whole.firstIndex(of: "H")! + 1 == whole.firstIndex(of: "S")!, "\(whole)")
        let groups = ["H": "home", "S": "solar", "S2": "solar", "G": "gas", "G2": "gas", "O": "oil"]
        for paused in [["motor-trade"], ["motor-trade", "gas"], ["home", "solar"], ["gas"], ["solar", "gas", "home", "oil"]] {
            try await withServer { (server: TestServer) async throws in
                try await Self.backlogAcrossGroups(server)
                let dialler = try #require(try server.store.authenticate(key: server.diallerKey))
                var order: [String] = []
                while let call = try await server.store.claimNextCall(callGroup: nil, excluding: Set(paused), by: dialler).call {
                    order.append(Self.name(ofMobile: call.mobile))
                }
                #expect(order == whole.filter { !paused.contains(groups[$0] ?? "motor-trade") }, "paused \(paused)")
                let left = try await server.scalar("SELECT group_concat(DISTINCT call_group) FROM (SELECT call_group FROM call_queue ORDER BY 1)")
                #expect(left == paused.sorted().joined(separator: ","), "paused \(paused)")
            }
        }
    }

    /// A claim past paused groups seeks: the groups by a skip-scan of the group index, each one's
    /// head by one seek; it never reads along the queue. Its only sort is of those heads, one a group.
    @Test func aClaimPastPausedGroupsSeeksAndNeverScansTheQueue() async throws {
        try await withServer { (server: TestServer) async throws in
            try await Self.backlogAcrossGroups(server)
            let plan = try await server.store.read { connection in
                try connection.query("EXPLAIN QUERY PLAN " + Connection.nextInUnpausedGroupsSQL, .text("\u{1F}motor-trade\u{1F}")) { $0.text(3) }
            }
            #expect(plan.contains("SEARCH call_queue USING COVERING INDEX call_queue_dialling_order (call_group>?)"), "\(plan)")
            #expect(plan.contains("SEARCH q USING COVERING INDEX call_queue_dialling_order (call_group=?)"), "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN call_queue") || $0.hasPrefix("SCAN q") }, "\(plan)")
            #expect(plan.filter { $0.contains("TEMP B-TREE") } == ["USE TEMP B-TREE FOR ORDER BY"], "\(plan)")
        }
    }

    /// The claim is one ORDER BY ... LIMIT 1 read off the queue's own index: no sort, whatever the
    /// queue's length.
    @Test func aClaimIsOneIndexSeekWithoutASort() async throws {
        try await withServer { (server: TestServer) async throws in
            try await Self.backlog(server)
            let plans = try await server.store.read { connection in
                let plan = { (sql: String) in
                    try connection.query("EXPLAIN QUERY PLAN " + sql, .text("motor-trade")) { $0.text(3) }
                }
                let any = try connection.query("EXPLAIN QUERY PLAN " + Connection.nextInAnyGroupSQL) { $0.text(3) }
                return (group: try plan(Connection.nextInGroupSQL), any: any)
            }
            #expect(plans.group.first == "SEARCH q USING COVERING INDEX call_queue_dialling_order (call_group=?)", "\(plans.group)")
            #expect(plans.any.first == "SCAN q USING COVERING INDEX call_queue_global_order", "\(plans.any)")
            for step in plans.group + plans.any {
                #expect(!step.contains("TEMP B-TREE"), "\(step)")
            }
        }
    }

    @Test func aFirstClaimIsTimedFromItsDueTimeAndARetryIsNot() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            server.clock.advance(seconds: 42)
            await server.worker.promoteNow()
            _ = try await server.post("/queue/next", "", key: server.diallerKey)
            _ = try await server.post("/queue/result", #"{"call_id":1,"outcome":"no answer","retry_in":0}"#, key: server.diallerKey)
            server.clock.advance(seconds: 1000)
            await server.worker.promoteNow()
            _ = try await server.post("/queue/next", "", key: server.diallerKey)
            let metrics = try await server.request(.get, "/metrics").body
            #expect(metrics.contains(#"dialler_first_claim_delay_seconds_count{call_group="motor-trade"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"dialler_first_claim_delay_seconds_sum{call_group="motor-trade"} 42"#), "\(metrics)")
            #expect(metrics.contains(#"dialler_first_claim_delay_seconds_bucket{call_group="motor-trade",le="60.0"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"dialler_first_claim_delay_seconds_bucket{call_group="motor-trade",le="30.0"} 0"#), "\(metrics)")
            #expect(
                try await server.scalar("SELECT first_claimed_at || ' ' || first_due_at FROM calls")
                    == "2026-11-25T10:00:42.000Z 2026-11-25T10:00:00.000Z")
        }
    }
}

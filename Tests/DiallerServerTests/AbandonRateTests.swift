import DiallerStore
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import DiallerServer

extension TestServer {
    /// Dials one new lead to the end with `result` (a JSON string value, or nil for an older dialler).
    func dial(_ mobile: String, result: String?, type: String = "motor-trade", group: String = "motor-trade") async throws {
        let call = try await queueAndClaim(mobile: mobile, type: type, group: group)
        let field = result.map { #""result":"\#($0)""# } ?? #""outcome":"legacy""#
        let answer = try await self.result(#"{"call_id":\#(call),\#(field)}"#)
        try #require(answer.status == .ok, "\(answer.body)")
    }

    /// Queues one lead for `group` and asks for a call of that group.
    func claimFresh(_ mobile: String, type: String = "motor-trade", group: String? = "motor-trade") async throws -> Reply {
        _ = try await post("/lead/add", leadBody(mobile: mobile, type: type))
        clock.advance(seconds: 1)
        await worker.promoteNow()
        return try await post("/queue/next", group.map { #"{"call_group":"\#($0)"}"# } ?? "{}", key: diallerKey)
    }

    /// The gauge and counter lines of `/metrics` that start with `name`.
    func metricLines(_ name: String) async throws -> [String] {
        try await request(.get, "/metrics").body.split(separator: "\n").map(String.init).filter { $0.hasPrefix(name) }
    }
}

@Suite struct AbandonRateTests {
    static let abandonRateHeader = HTTPField.Name("Abandon-Rate")!

    @Test func abandonsLeaveTheWindowAfter24HoursAndTheRateDrops() async throws {
        try await withServer { (server: TestServer) async throws in
            for (n, result) in ["abandoned", "connected", "abandoned", "connected", "machine"].enumerated() {
                try await server.dial("0791100000\(n)", result: result)
            }
            #expect(server.store.abandonRate(callGroup: "motor-trade") == AbandonRate(callGroup: "motor-trade", live: 4, abandoned: 2))
            let first = try await server.claimFresh("07911000010")
            #expect(first.headers[Self.abandonRateHeader] == "50.0")
            _ = try await server.result(#"{"call_id":6,"result":"connected"}"#)

            server.clock.advance(seconds: 12 * 3600)
            try await server.dial("07911000011", result: "connected")
            #expect(try await server.claimFresh("07911000012").headers[Self.abandonRateHeader] == "33.33")
            _ = try await server.result(#"{"call_id":8,"result":"connected"}"#)

            // A day and a minute after the first results, their minute has left the window.
            server.clock.advance(seconds: 12 * 3600 + 60)
            #expect(server.store.abandonRate(callGroup: "motor-trade") == AbandonRate(callGroup: "motor-trade", live: 2, abandoned: 0))
            #expect(try await server.store.abandonRatesFromCounters() == [AbandonRate(callGroup: "motor-trade", live: 2, abandoned: 0)])
            #expect(try await server.claimFresh("07911000013").headers[Self.abandonRateHeader] == "0.0")
            #expect(
                try await server.metricLines("dialler_abandon_rate_percent").contains(#"dialler_abandon_rate_percent{call_group="motor-trade"} 0.0"#))
        }
    }

    @Test func aGroupOverTheLimitWithTheMinimumSampleIsPausedUntilItsAbandonsLeave() async throws {
        try await withServer(configure: { $0.abandonMinLive = 4 }) { (server: TestServer) async throws in
            try await server.exec("INSERT INTO lead_types(name) VALUES ('home')")
            for (n, result) in ["connected", "abandoned", "connected", "connected"].enumerated() {
                try await server.dial("0791100000\(n)", result: result)
            }
            let paused = try await server.claimFresh("07911000010")
            #expect(paused.status == .tooManyRequests)
            #expect(paused.body == #"{"paused":"abandon_rate","call_group":"motor-trade","rate":25.0,"limit":3.0}"#)
            #expect(paused.headers[.retryAfter] == "60")
            #expect(paused.headers[Self.abandonRateHeader] == nil)
            #expect(try await server.post("/queue/next", #"{"call_group":"motor-trade"}"#, key: server.diallerKey).status == .tooManyRequests)
            // A claim from any group passes the paused group's call over.
            #expect(try await server.post("/queue/next", "{}", key: server.diallerKey).status == .noContent)
            let other = try await server.claimFresh("07911000011", type: "home", group: nil)
            #expect(other.status == .ok && other.body.contains(#""call_group":"home""#))
            #expect(other.headers[Self.abandonRateHeader] == "0.0")
            #expect(try await server.scalar("SELECT state FROM calls_report WHERE call_id = 5") == "queued")
            #expect(server.logs.all.filter { $0.contains("queue paused") }.count == 1)
            #expect(server.logs.all.contains { $0.contains("queue paused") && $0.contains("call_group=motor-trade") && $0.contains("rate=25.0") })
            let counted = try await server.metricLines("dialler_queue_paused_total")
            #expect(
                counted.count == 1 && counted[0].contains(#"call_group="motor-trade""#) && counted[0].contains(#"reason="abandon_rate""#)
                    && counted[0].hasSuffix(" 1"), "\(counted)")
            #expect(
                try await server.metricLines("dialler_abandon_rate_percent").contains(#"dialler_abandon_rate_percent{call_group="motor-trade"} 25.0"#)
            )

            // It resumes by itself once the abandon has left the window.
            server.clock.advance(seconds: 86_400)
            let resumed = try await server.post("/queue/next", #"{"call_group":"motor-trade"}"#, key: server.diallerKey)
            #expect(resumed.status == .ok && resumed.body.hasPrefix(#"{"call_id":5,"#))
            #expect(resumed.headers[Self.abandonRateHeader] == "0.0")
            #expect(server.logs.all.filter { $0.contains("queue resumed") && $0.contains("call_group=motor-trade") }.count == 1)
            #expect(server.logs.all.filter { $0.contains("queue paused") }.count == 1)
        }
    }

    @Test func retryAfterSaysWhenTheOldAbandonsLeave() async throws {
        try await withServer(configure: { $0.abandonMinLive = 2 }) { (server: TestServer) async throws in
            try await server.dial("07911000000", result: "abandoned")
            server.clock.advance(seconds: 86_400 - 90)
            try await server.dial("07911000001", result: "connected")
            // Live 2, abandoned 1: paused until the abandon's minute leaves, 87 s from now, told 60 at most.
            #expect(try await server.claimFresh("07911000002").headers[.retryAfter] == "60")
            server.clock.advance(seconds: 60)
            // Now 09:59:33 the next day; the abandon's minute (10:00) leaves the window at 10:00:00.
            let soon = try await server.post("/queue/next", #"{"call_group":"motor-trade"}"#, key: server.diallerKey)
            #expect(soon.status == .tooManyRequests)
            #expect(soon.headers[.retryAfter] == "27")
            server.clock.advance(seconds: 26)
            #expect(try await server.post("/queue/next", #"{"call_group":"motor-trade"}"#, key: server.diallerKey).status == .tooManyRequests)
            server.clock.advance(seconds: 1)
            #expect(try await server.post("/queue/next", #"{"call_group":"motor-trade"}"#, key: server.diallerKey).status == .ok)
        }
    }

    @Test func withoutTheMinimumSampleOrWithTheGuardOffNoGroupIsPaused() async throws {
        try await withServer { (server: TestServer) async throws in
            for (n, result) in ["abandoned", "abandoned", "connected"].enumerated() {
                try await server.dial("0791100000\(n)", result: result)
            }
            let claim = try await server.claimFresh("07911000010")
            #expect(claim.status == .ok)
            #expect(claim.headers[Self.abandonRateHeader] == "66.67")
            #expect(!server.logs.all.contains { $0.contains("queue paused") })
        }
        try await withServer(configure: {
            $0.abandonLimit = nil
            $0.abandonMinLive = 1
        }) { (server: TestServer) async throws in
            try await server.dial("07911000000", result: "abandoned")
            let claim = try await server.claimFresh("07911000010")
            #expect(claim.status == .ok)
            #expect(claim.headers[Self.abandonRateHeader] == "100.0")
        }
    }

    @Test func theViewShowsEachGroupsRateOverTheLast24Hours() async throws {
        try await withServer { (server: TestServer) async throws in
            // The view reads SQLite's own clock: bring the server's to an hour before it.
            server.clock.advance(seconds: Date().timeIntervalSince(server.clock.now().date).rounded(.down) - 3600)
            for (n, result) in ["abandoned", "connected", "connected", "connected"].enumerated() {
                try await server.dial("0791100000\(n)", result: result)
            }
            try await server.dial("07911000009", result: nil)
            let rows = try await server.store.read { connection in
                try connection.query("SELECT call_group, live_calls, abandoned, rate_percent, results_without_result FROM abandon_rate_report") {
                    "\($0.text(0)) \($0.int(1)) \($0.int(2)) \($0.text(3)) \($0.int(4))"
                }
            }
            #expect(rows == ["motor-trade 4 1 25.0 1", "retired 0 0 0.0 0"])
            let span = try await server.scalar(
                "SELECT round((julianday(window_end) - julianday(window_start)) * 1440) FROM abandon_rate_report LIMIT 1")
            #expect(["1439.0", "1440.0"].contains(span ?? ""), "\(span ?? "nil")")
        }
    }

    /// The rate kept in memory and the counters' sum equal a from-scratch count of the attempts,
    /// over random histories of results and pauses (seeded, so a failure can be replayed).
    @Test(arguments: [1, 7, 2026] as [UInt64])
    func theIncrementalRateEqualsAFromScratchCount(seed: UInt64) async throws {
        try await withServer(configure: { $0.abandonLimit = nil }) { (server: TestServer) async throws in
            var random = SplitMix64(seed: seed)
            try await server.exec("INSERT INTO lead_types(name) VALUES ('home')")
            let results: [String?] = Disposition.allCases.map(\.rawValue) + [nil]
            for n in 0..<40 {
                _ = try await server.post(
                    "/lead/add", leadBody(mobile: "0791100\(String(format: "%04d", n))", type: n % 3 == 0 ? "home" : "motor-trade"))
            }
            server.clock.advance(seconds: 1)
            await server.worker.promoteNow()
            for step in 0..<40 {
                let groups = random.next() % 2 == 0 ? ["home", "motor-trade"] : ["motor-trade", "home"]
                var claimed: Int?
                for group in groups where claimed == nil {
                    let claim = try await server.post("/queue/next", #"{"call_group":"\#(group)"}"#, key: server.diallerKey)
                    if claim.status == .ok { claimed = Int(claim.body.split(separator: ",")[0].split(separator: ":")[1]) }
                }
                let call = try #require(claimed)
                let result = results[Int(random.next() % UInt64(results.count))]
                let field = result.map { #""result":"\#($0)""# } ?? #""outcome":"legacy""#
                #expect(try await server.result(#"{"call_id":\#(call),\#(field)}"#).status == .ok)
                // Seconds to hours apart, now and then close to a day (so that earlier results sit
                // at the window's edge); each pause looked at, then a few more short steps.
                let pause: UInt64 =
                    switch random.next() % 4 {
                    case 0: random.next() % 120
                    case 1: random.next() % 7_200
                    case 2: 86_400 - 180 + random.next() % 360
                    default: random.next() % 80_000
                    }
                server.clock.advance(seconds: Double(pause) + Double(random.next() % 1000) / 1000)
                for look in 0..<4 {
                    if look > 0 { server.clock.advance(seconds: Double(random.next() % 45_000) / 1000) }
                    let fromScratch = try await Self.countFromScratch(server)
                    let inMemory = server.store.allAbandonRates().filter { $0.live > 0 }
                    #expect(inMemory == fromScratch, "seed \(seed), step \(step).\(look)")
                    #expect(try await server.store.abandonRatesFromCounters() == fromScratch, "seed \(seed), step \(step).\(look)")
                }
            }
        }
    }

    /// Every group's live and abandoned attempts finished in the current UTC minute and the 1,439
    /// before it, counted from the attempts themselves.
    static func countFromScratch(_ server: TestServer) async throws -> [AbandonRate] {
        let now = server.clock.now().iso8601
        return try await server.store.read { connection in
            try connection.query(
                """
                SELECT k.call_group, sum(a.result = 'connected' OR a.result = 'abandoned'), sum(a.result = 'abandoned')
                FROM call_attempts a JOIN calls k ON k.call_id = a.call_id
                WHERE a.finished_at >= strftime('%Y-%m-%dT%H:%M:00.000Z', ?1, '-1439 minutes') AND a.finished_at <= ?1
                GROUP BY k.call_group HAVING sum(a.result = 'connected' OR a.result = 'abandoned') > 0 ORDER BY k.call_group
                """, .text(now)
            ) { AbandonRate(callGroup: $0.text(0), live: $0.int(1), abandoned: $0.int(2)) }
        }
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same history on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

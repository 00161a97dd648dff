import DiallerStore
import Foundation
import Testing

@testable import DiallerServer

/// `speed_to_lead_report`: how long leads waited for their first call, per UTC day, partner and type.
@Suite struct SpeedToLeadTests {
    /// One group's figures, as the view gives them and as the test works them out.
    struct Figures: Equatable, CustomStringConvertible {
        var key: String
        var calls: Int
        var firstClaimed: Int
        var dueMedian: Double?
        var dueP90: Double?
        var receiptMedian: Double?
        var receiptP90: Double?

        var description: String {
            func text(_ value: Double?) -> String { value.map { String($0) } ?? "-" }
            return "\(key) \(calls) \(firstClaimed) \(text(dueMedian)) \(text(dueP90)) \(text(receiptMedian)) \(text(receiptP90))"
        }
    }

    /// Nearest rank: the smallest value with at least `share` of the values at or below it.
    static func percentile(_ values: [Double], _ share: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[Int((share * Double(sorted.count)).rounded(.up)) - 1]
    }

    @Test func theViewEqualsTheSameQuestionAskedOfTheTables() async throws {
        try await withServer { (server: TestServer) async throws in
            var n = 0
            func lead(_ type: String = "motor-trade", key: String? = nil, delays: Int? = nil) async throws {
                n += 1
                let extra = delays.map { #","delays":\#($0)"# } ?? ""
                let reply = try await server.post(
                    "/lead/add", leadBody(mobile: "0791110" + String(format: "%04d", n), type: type, extra: extra),
                    key: key)
                #expect(reply.body == #"{"saved":true,"processed":true}"#)
            }
            func claim(after seconds: Double) async throws {
                server.clock.advance(seconds: seconds)
                await server.worker.promoteNow()
                #expect(try await server.post("/queue/next", "", key: server.diallerKey).status == .ok)
            }
            // Day one, 10:00:00: five acme motor-trade leads, one rival, one acme van lead due a minute later.
            for _ in 0..<5 { try await lead() }
            try await lead(key: server.otherPartnerKey)
            try await lead("van-insurance", delays: 60)
            server.clock.advance(seconds: 0.25)
            try await claim(after: 10)  // acme 1 at 10:00:10.25
            try await claim(after: 20)  // acme 2 at 10:00:30.25
            try await claim(after: 70)  // acme 3 at 10:01:40.25 (the van lead, due 10:01:00, is queued now, behind it)
            try await claim(after: 1.5)  // acme 4 at 10:01:41.75
            try await claim(after: 0)  // acme 5 at 10:01:41.75
            try await claim(after: 30)  // rival at 10:02:11.75
            try await claim(after: 5)  // the van lead at 10:02:16.75
            // A retry's claim is not a first claim.
            _ = try await server.post("/queue/result", #"{"call_id":1,"outcome":"no answer","retry_in":0}"#, key: server.diallerKey)
            try await claim(after: 600)
            // Day two: two more acme leads, one claimed.
            server.clock.advance(seconds: 86_400)
            try await lead()
            try await lead()
            try await claim(after: 3)

            let view = try await server.store.read { connection in
                try connection.query(
                    """
                    SELECT day, partner, type, calls, first_claimed, due_to_claim_median, due_to_claim_p90,
                           receipt_to_claim_median, receipt_to_claim_p90
                    FROM speed_to_lead_report ORDER BY day, partner, type
                    """
                ) { row in
                    func number(_ column: Int32) -> Double? { row.optionalText(column).flatMap(Double.init) }
                    return Figures(
                        key: "\(row.text(0)) \(row.text(1)) \(row.text(2))", calls: row.int(3), firstClaimed: row.int(4),
                        dueMedian: number(5), dueP90: number(6), receiptMedian: number(7), receiptP90: number(8))
                }
            }
            // The same question of the tables: each call's lead, its due time at first claim, and its
            // first claim as the attempts table has it.
            let rows = try await server.store.read { connection in
                try connection.query(
                    """
                    SELECT substr(l.received_at, 1, 10) || ' ' || p.name || ' ' || t.name, l.received_at, k.first_due_at,
                           (SELECT min(a.claimed_at) FROM call_attempts a WHERE a.call_id = k.call_id)
                    FROM calls k JOIN leads l ON l.lead_id = k.lead_id JOIN partners p ON p.partner_id = l.partner_id
                    JOIN lead_types t ON t.lead_type_id = k.lead_type_id
                    """
                ) { (key: $0.text(0), received: $0.text(1), due: $0.optionalText(2), claimed: $0.optionalText(3)) }
            }
            func seconds(_ from: String, _ to: String) -> Double {
                Double(Timestamp(iso8601: to)!.milliseconds - Timestamp(iso8601: from)!.milliseconds) / 1000
            }
            let expected = Dictionary(grouping: rows, by: \.key).sorted { $0.key < $1.key }.map { key, calls in
                let claimed = calls.filter { $0.claimed != nil }
                let due = claimed.map { seconds($0.due!, $0.claimed!) }
                let receipt = claimed.map { seconds($0.received, $0.claimed!) }
                return Figures(
                    key: key, calls: calls.count, firstClaimed: claimed.count,
                    dueMedian: Self.percentile(due, 0.5), dueP90: Self.percentile(due, 0.9),
                    receiptMedian: Self.percentile(receipt, 0.5), receiptP90: Self.percentile(receipt, 0.9))
            }
            #expect(view == expected)
            // And the figures themselves, so that the comparison above cannot pass on two empty lists.
            #expect(
                view.map(\.description) == [
                    "2026-11-25 acme motor-trade 5 5 100.25 101.75 100.25 101.75",
                    "2026-11-25 acme van-insurance 1 1 76.75 76.75 136.75 136.75",
                    "2026-11-25 rival motor-trade 1 1 131.75 131.75 131.75 131.75",
                    "2026-11-26 acme motor-trade 2 1 3.0 3.0 3.0 3.0",
                ])
        }
    }
}

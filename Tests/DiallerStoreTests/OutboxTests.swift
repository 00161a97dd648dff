import DiallerStore
import Foundation
import Logging
import Testing

/// The outbox is written in the writer transaction of the change it reports: both or neither.
@Suite struct OutboxTests {
    static func prepared(_ store: Store) async throws -> Principal {
        try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
        let acme = try await store.partner("acme")
        _ = try await store.changeWebhookEndpoint(
            partner: "acme", WebhookEndpointChange(url: "https://partner.example/hooks"),
            key: SecretsKey(bytes: SecretsKey.randomBytes()))
        return acme
    }

    @Test func aChangeWhoseEventCannotBeWrittenIsNotMadeEither() async throws {
        try await withTemporaryStore { store, _ in
            let acme = try await Self.prepared(store)
            _ = try await store.submitLead(.sample(), from: acme)
            try await store.exec("CREATE TRIGGER refuse BEFORE INSERT ON webhook_events BEGIN SELECT RAISE(ABORT, 'outbox refused'); END")
            await #expect(throws: CancelFailure.self) {
                try await store.cancelCall(type: "motor-trade", mobile: "+447840258823", partner: acme)
            }
            #expect(try await store.scalar("SELECT state FROM calls") == "queued")
            #expect(try await store.scalar("SELECT count(*) FROM call_queue") == "1")
            try await store.exec("DROP TRIGGER refuse")
            #expect(try await store.cancelCall(type: "motor-trade", mobile: "+447840258823", partner: acme) == .cancelled(callID: 1))
            #expect(try await store.scalar("SELECT type || ' ' || call_id || ' ' || state FROM webhook_events") == "call.cancelled 1 pending")
        }
    }

    @Test func aBulkImportCancelsEachCallWithItsEvent() async throws {
        try await withTemporaryStore { store, _ in
            let acme = try await Self.prepared(store)
            let mobiles = (0..<5).map { "+4478402588\(20 + $0)" }
            for mobile in mobiles { _ = try await store.submitLead(.sample(mobile: mobile), from: acme) }
            let target = try await store.beginAdding(to: "tps")
            let report = try await store.importSuppressions(Array(mobiles.prefix(3)), into: target, visible: true, reason: nil)
            #expect(report.cancelledCalls == 3)
            #expect(
                try await store.scalar("SELECT group_concat(call_id) FROM webhook_events WHERE json_extract(payload, '$.data.reason') = 'suppressed'")
                    == "1,2,3")
            // A replacing import cancels through the same path.
            let replace = try await store.beginReplacing("ctps")
            _ = try await store.importSuppressions([mobiles[3]], into: replace, visible: false, reason: nil)
            #expect(try await store.finishReplacing(replace) == 1)
            #expect(try await store.scalar("SELECT count(*) FROM webhook_events") == "4")
        }
    }

    @Test func retentionErasureBlanksTheMobileInTheLeadsEvents() async throws {
        try await withTemporaryStore(configure: { $0.retentionDays = 1 }) { store, clock in
            let acme = try await Self.prepared(store)
            _ = try await store.submitLead(.sample(), from: acme)
            _ = try await store.cancelCall(type: "motor-trade", mobile: "+447840258823", partner: acme)
            #expect(try await store.scalar("SELECT json_extract(payload, '$.data.mobile') FROM webhook_events") == "+447840258823")
            clock.advance(seconds: 2 * 86_400)
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Logger(label: "outbox-tests"))
            _ = await worker.retainNow()
            #expect(try await store.scalar("SELECT json_extract(payload, '$.data.mobile') FROM webhook_events") == "erased")
        }
    }
}

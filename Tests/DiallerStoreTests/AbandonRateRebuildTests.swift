import DiallerStore
import Foundation
import Logging
import Testing

@Suite struct AbandonRateRebuildTests {
    /// The in-memory rate is rebuilt from the counter rows when the store opens again, holding only
    /// the minutes still in the window.
    @Test func theRateSurvivesARestart() async throws {
        try await withTemporaryDirectory { directory in
            let clock = ManualClock(iso8601: "2026-11-25T10:00:00.000Z")
            let configuration = StoreConfiguration(path: directory + "/test.sqlite", migrationsDirectory: migrationsDirectory)
            do {
                let store = try Store(configuration, clock: clock)
                defer { store.close() }
                try await store.exec("INSERT INTO lead_types(name, call_group) VALUES ('motor-trade', 'cars')")
                let partner = try await store.partner("acme")
                let dialler = try await store.dialler("floor")
                let worker = HousekeepingWorker(store: store, interval: 3600, logger: Logger(label: "test"))
                for (n, result) in [Disposition.abandoned, .connected, .connected, .busy].enumerated() {
                    _ = try await store.submitLead(.sample(mobile: "+4479110000\(n)"), from: partner)
                    clock.advance(seconds: 1)
                    await worker.promoteNow()
                    let call = try #require(try await store.claimNextCall(callGroup: "cars", by: dialler).call)
                    _ = try await store.recordResult(callID: call.callID, result: CallResult(outcome: "x", result: result), by: dialler)
                    if n == 0 { clock.advance(seconds: 3600) }
                }
                #expect(store.abandonRate(callGroup: "cars") == AbandonRate(callGroup: "cars", live: 3, abandoned: 1))
            }
            clock.advance(seconds: 86_400 - 3600)
            let reopened = try Store(configuration, clock: clock)
            defer { reopened.close() }
            // The abandon (10:00) has left the window; the two connected calls (11:00) have not.
            #expect(reopened.abandonRate(callGroup: "cars") == AbandonRate(callGroup: "cars", live: 2, abandoned: 0))
            #expect(reopened.allAbandonRates() == [AbandonRate(callGroup: "cars", live: 2, abandoned: 0)])
        }
    }
}

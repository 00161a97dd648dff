import DiallerStore
import Foundation
import Testing

/// A failed fsync of the WAL, as after fsyncgate: the batches it covered are not saved, and the
/// store takes no writes until it is reopened, even once the disk syncs again.
@Suite struct WALSyncFailureTests {
    @Test func aFailedWALSyncFailsItsBatchAndStopsWritesUntilReopened() async throws {
        try await withTemporaryDirectory { directory in
            let disk = try PowerCutDisk(directory: directory)
            let configuration = StoreConfiguration(path: directory + "/sync.sqlite", migrationsDirectory: migrationsDirectory)
            let clock = ManualClock(iso8601: "2026-11-25T10:00:00.000Z")
            let partner: Principal
            do {
                let store = try Store(configuration, clock: clock)
                defer { store.close() }
                try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
                partner = try await store.partner("acme")
                _ = try await store.submitLead(.sample(mobile: "+447700900001"), from: partner)
                disk.failSyncs(true)
                let failed = await #expect(throws: StoreError.self) {
                    _ = try await store.submitLead(.sample(mobile: "+447700900002"), from: partner)
                }
                #expect(Self.isSyncFailure(failed))
                disk.failSyncs(false)
                let stopped = await #expect(throws: StoreError.self) {
                    _ = try await store.submitLead(.sample(mobile: "+447700900003"), from: partner)
                }
                #expect(Self.isSyncFailure(stopped))
                #expect(store.writer.durabilityFailure != nil)
            }
            let reopened = try Store(configuration, clock: clock)
            defer { reopened.close() }
            #expect(reopened.writer.durabilityFailure == nil)
            _ = try await reopened.submitLead(.sample(mobile: "+447700900004"), from: partner)
            let mobiles = try await reopened.read { try $0.query("SELECT mobile FROM contacts ORDER BY mobile") { $0.text(0) } }
            #expect(mobiles.contains("+447700900001") && mobiles.contains("+447700900004"))
            #expect(!mobiles.contains("+447700900003"), "a write was made after the failed sync")
            withExtendedLifetime(disk) {}
        }
    }

    private static func isSyncFailure(_ error: StoreError?) -> Bool {
        if case .walSyncFailed = error { return true }
        return false
    }
}

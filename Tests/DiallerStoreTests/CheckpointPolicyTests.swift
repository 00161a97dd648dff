import DiallerStore
import Foundation
import Testing

/// `auto` checkpoints from the writer and truncates the WAL on close; `external` never does either.
@Suite struct CheckpointPolicyTests {
    static func walSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    }

    @Test(arguments: CheckpointPolicy.allCases)
    func theWriterCheckpointsOnlyUnderAuto(policy: CheckpointPolicy) async throws {
        try await withTemporaryDirectory { directory in
            var configuration = StoreConfiguration(path: directory + "/test.sqlite", migrationsDirectory: migrationsDirectory)
            configuration.checkpoints = policy
            let store = try Store(configuration)
            let threshold = try await store.writer.write { try $0.queryFirst("PRAGMA wal_autocheckpoint") { $0.int(0) } }
            #expect(threshold == (policy == .auto ? 4000 : 0))
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            #expect(Self.walSize(configuration.path) > 0)
            store.close()
            // The readers stay open until the store goes, so the close is what acted, not SQLite's last-connection checkpoint.
            #expect((Self.walSize(configuration.path) == 0) == (policy == .auto))
            withExtendedLifetime(store) {}
        }
    }
}

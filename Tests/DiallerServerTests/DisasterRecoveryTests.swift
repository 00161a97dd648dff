import DiallerStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The server replicated by the real Litestream to a file replica: what a restore holds after the
/// machine dies (both processes SIGKILLed at once) and after a graceful stop, and how the two
/// checkpoint policies behave under it. The recovery point printed here is the one
/// docs/install-and-recovery.md states.
@Suite(.serialized) struct DisasterRecoveryTests {
    static let available = Litestream.binary != nil
    static let missing = "litestream not found: run scripts/install-test-tools, or set LITESTREAM to its path"
    /// A lead acknowledged this long before the machine died must be in the replica: Litestream
    /// looks at the WAL every monitor interval and ships every sync interval; one second more
    /// for a busy machine (CI's two cores run the load, the server and Litestream).
    static let guaranteedAfter = Litestream.monitorInterval + Litestream.syncInterval + 1.0

    /// In CI the suite must run: a machine without litestream fails here instead of skipping.
    @Test func litestreamIsInstalledInCI() {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(Self.available, "\(Self.missing) (.ci/run runs scripts/install-test-tools)")
        }
    }

    /// Mobiles in a restored copy, after checking it is sound.
    static func restoredMobiles(_ litestream: Litestream, to path: String) throws -> Set<String> {
        let restored = try litestream.restore(to: path)
        #expect(restored.status == 0, "litestream restore failed: \(restored.output)")
        // Read-write: a read-only connection's integrity_check skips the CHECK constraints.
        let connection = try Connection(path: path)
        #expect(try connection.query("PRAGMA integrity_check") { $0.text(0) } == ["ok"])
        return Set(try connection.query("SELECT mobile FROM leads_report") { $0.text(0) })
    }

    @Test(.enabled(if: available, Comment(rawValue: missing)))
    func whenTheMachineDiesTheReplicaHoldsEveryLeadAcknowledgedBeforeTheLastSyncInterval() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try CrashSafetyTests.prepare(folder)
            let litestream = try Litestream(database: setup.db, folder: folder)
            let wrapper = try litestream.replicate(migrations: setup.migrations, extraArguments: ["--checkpoints", "external"])
            let server = try #require(ProcessTree.children(of: wrapper.processIdentifier).first)
            let load = IntakeLoad()
            async let intake: Void = load.run(port: wrapper.port, key: setup.key, clients: 8, prefix: 21)
            try await load.waitForSaved(atLeast: 50)
            try await Task.sleep(for: .seconds(Self.guaranteedAfter + 3))

            let died = ContinuousClock.now
            kill(wrapper.processIdentifier, SIGKILL)
            kill(server, SIGKILL)
            _ = wrapper.waitForExit(seconds: 10)
            load.stop()
            await intake

            let stored = try Self.restoredMobiles(litestream, to: folder + "/restored.sqlite")
            let acknowledged = load.answered.filter { $0.saved && $0.answered <= died }
            let lost = acknowledged.filter { !stored.contains($0.mobile) }
            let recoveryPoint = lost.map { died.seconds(since: $0.answered) }.max() ?? 0
            print(
                "machine died: \(acknowledged.count) leads acknowledged, \(lost.count) not in the replica; "
                    + "recovery point \(String(format: "%.2f", recoveryPoint)) s "
                    + "(monitor-interval \(Litestream.monitorInterval) s, sync-interval \(Litestream.syncInterval) s)")
            let old = acknowledged.filter { died.seconds(since: $0.answered) > Self.guaranteedAfter }
            #expect(old.count >= 50, "too few leads were acknowledged early enough to test with: \(old.count)")
            let oldLost = old.filter { !stored.contains($0.mobile) }
            #expect(
                oldLost.isEmpty,
                "\(oldLost.count) leads acknowledged more than \(Self.guaranteedAfter) s before the machine died are not in the replica")
        }
    }

    @Test(.enabled(if: available, Comment(rawValue: missing)))
    func afterAGracefulStopTheReplicaHoldsEveryAcknowledgedLead() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try CrashSafetyTests.prepare(folder)
            let litestream = try Litestream(database: setup.db, folder: folder)
            let wrapper = try litestream.replicate(migrations: setup.migrations, extraArguments: ["--checkpoints", "external"])
            let server = try #require(ProcessTree.children(of: wrapper.processIdentifier).first)
            let load = IntakeLoad()
            async let intake: Void = load.run(port: wrapper.port, key: setup.key, clients: 8, prefix: 22)
            try await load.waitForSaved(atLeast: 200)
            // Litestream opens the database at its first look, one monitor interval after it
            // starts; stopped before that, it ships nothing (the leads stay on the local disk).
            try await Task.sleep(for: .seconds(Litestream.monitorInterval + 1.5))

            // As systemd stops dialler-replicated.service: the server drains under load, then Litestream's last sync.
            let stopping = ContinuousClock.now
            kill(server, SIGTERM)
            let status = wrapper.waitForExit(seconds: 30)
            let stopped = ContinuousClock.now
            load.stop()
            await intake
            #expect(status == 0, "litestream exited with \(String(describing: status)): \(wrapper.output.suffix(2000))")
            #expect(wrapper.output.contains("shut down cleanly"))

            let stored = try Self.restoredMobiles(litestream, to: folder + "/restored.sqlite")
            let acknowledged = load.answered.filter(\.saved)
            let lost = acknowledged.filter { !stored.contains($0.mobile) }
            print(
                "graceful stop: \(acknowledged.count) leads acknowledged, \(lost.count) not in the replica; "
                    + "server and litestream stopped in \(String(format: "%.2f", stopped.seconds(since: stopping))) s")
            #expect(!acknowledged.isEmpty)
            #expect(lost.isEmpty, "\(lost.count) acknowledged leads are not in the replica after a graceful stop")
        }
    }

    @Test(.enabled(if: available, Comment(rawValue: missing)), arguments: CheckpointPolicy.allCases)
    func shutdownUnderLitestream(checkpoints: CheckpointPolicy) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try CrashSafetyTests.prepare(folder)
            let litestream = try Litestream(database: setup.db, folder: folder)
            let wrapper = try litestream.replicate(migrations: setup.migrations, extraArguments: ["--checkpoints", checkpoints.rawValue])
            let server = try #require(ProcessTree.children(of: wrapper.processIdentifier).first)
            let load = IntakeLoad()
            async let intake: Void = load.run(port: wrapper.port, key: setup.key, clients: 8, prefix: 23)
            try await load.waitForSaved(atLeast: 200)
            var largestWAL = 0
            for _ in 0..<40 {
                largestWAL = max(largestWAL, Self.size(of: setup.db + "-wal"))
                try await Task.sleep(for: .milliseconds(100))
            }
            load.stop()
            await intake

            let signalled = ContinuousClock.now
            kill(server, SIGTERM)
            var serverExited = false
            while !serverExited, ContinuousClock.now - signalled < .seconds(20) {
                serverExited = kill(server, 0) != 0 || Self.isZombie(server)
                if !serverExited { try await Task.sleep(for: .milliseconds(10)) }
            }
            let serverSeconds = ContinuousClock.now.seconds(since: signalled)
            let status = wrapper.waitForExit(seconds: 30)
            let totalSeconds = ContinuousClock.now.seconds(since: signalled)
            let walAfter = Self.size(of: setup.db + "-wal")
            print(
                "checkpoints \(checkpoints.rawValue) under litestream: \(load.savedCount) leads in 4 s, WAL at most "
                    + "\(largestWAL / 1024) KiB while serving, \(walAfter / 1024) KiB after; SIGTERM to server exit "
                    + "\(String(format: "%.2f", serverSeconds)) s, to litestream exit \(String(format: "%.2f", totalSeconds)) s")
            #expect(status == 0)
            #expect(wrapper.output.contains("shut down cleanly"))
            if checkpoints == .external {
                #expect(serverSeconds < 2, "the server took \(serverSeconds) s to stop under litestream")
            }
            _ = try Self.restoredMobiles(litestream, to: folder + "/restored.sqlite")
        }
    }

    static func size(of path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// An exited child not yet reaped by its parent still answers `kill(pid, 0)`.
    static func isZombie(_ process: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}

import DiallerStore
import Foundation
import Synchronization
import Testing

/// A do-not-call import run by an administrator's process beside a live server's store: the
/// server's writes keep getting their turn at the database's one write lock.
@Suite struct LiveImportTests {
    /// What the server's intake loop saw while the import ran.
    struct Intake: Sendable {
        var saved = 0
        var failures: [String] = []
        var longestWait = Duration.zero
    }

    /// Whether the import still runs, read by the intake loop on another task.
    final class Running: Sendable {
        let flag = Atomic(true)
    }

    @Test func intakeKeepsWritingWhileAnotherProcessReplacesAListInChunks() async throws {
        try await withTemporaryDirectory { directory in
            // The server's store gives up on the lock after 500 ms, so a starved write shows as a failure.
            var configuration = StoreConfiguration(path: directory + "/live.sqlite", migrationsDirectory: migrationsDirectory)
            configuration.busyTimeoutMilliseconds = 500
            let server = try Store(configuration, clock: SystemClock())
            defer { server.close() }
            try await server.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await server.partner("acme")
            var adminConfiguration = configuration
            adminConfiguration.opening = .requireCurrentSchema
            let admin = try Store(adminConfiguration, clock: SystemClock())
            defer { admin.close() }

            let importing = Running()
            let intake = Task { () -> Intake in
                var seen = Intake()
                var next = 0
                while importing.flag.load(ordering: .relaxed) {
                    next += 1
                    let started = ContinuousClock.now
                    do {
                        _ = try await server.submitLead(.sample(mobile: String(format: "+447840%06d", next)), from: partner)
                        seen.saved += 1
                    } catch {
                        seen.failures.append("\(error)")
                    }
                    seen.longestWait = max(seen.longestWait, ContinuousClock.now - started)
                }
                return seen
            }

            // 40 chunks of 5,000, made up front so that they go back to back as `suppress import
            // --replace` sends them (it parses the next chunk while one is written), then the
            // switch. Seconds of import: a server that got no turn would fail its writes. Without
            // the pacing and the 1 ms busy polling, 3 and 4 leads failed in two runs, the longest
            // wait being the 500 ms timeout; with them none, the longest wait 61-71 ms. (The longest wait
            // is not asserted: with the whole suite running beside it, it reached 556 ms.)
            let chunks = 40
            let chunk = 5_000
            let numbers = (0..<chunks).map { index in (0..<chunk).map { String(format: "+447700%06d", index * chunk + $0) } }
            let target = try await admin.beginReplacing("tps")
            for numbers in numbers {
                _ = try await admin.importSuppressions(numbers, into: target, visible: false, reason: "import of tps.txt")
            }
            _ = try await admin.finishReplacing(target)
            importing.flag.store(false, ordering: .relaxed)
            let seen = await intake.value

            #expect(seen.failures.isEmpty, "\(seen.failures.count) leads failed, the first: \(seen.failures.first ?? "")")
            #expect(seen.saved >= chunks, "\(seen.saved) leads saved during \(chunks) chunks, the longest wait \(seen.longestWait)")
            #expect(try await admin.suppressionLists().first { $0.name == "tps" }?.numbers == chunks * chunk)
        }
    }

    @Test func aChunkPausesAsLongAsItHeldTheLockOnlyWhenSomeoneElseWroteMeanwhile() {
        var pacing = BulkPacing()
        #expect(pacing.pause(afterHolding: .milliseconds(30), dataVersion: 7) == BulkPacing.idlePause)
        #expect(pacing.pause(afterHolding: .milliseconds(30), dataVersion: 7) == BulkPacing.idlePause)
        #expect(pacing.pause(afterHolding: .milliseconds(30), dataVersion: 9) == .milliseconds(30))
        #expect(pacing.pause(afterHolding: .microseconds(100), dataVersion: 12) == BulkPacing.idlePause)
        #expect(pacing.pause(afterHolding: .milliseconds(30), dataVersion: 12) == BulkPacing.idlePause)
    }
}

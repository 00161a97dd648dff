import DiallerStore
import Foundation
import Synchronization
import Testing

/// While the WAL's fsync runs, the jobs that arrive wait and are committed together once it ends:
/// one transaction and one set of WAL pages for all of them, and none answered before its sync.
@Suite struct SlowSyncBatchingTests {
    @Test func jobsArrivingDuringASyncCommitTogetherOnceItEnds() async throws {
        try await withSlowDisk { store, disk, batches in
            let answered = AnswerCount()
            let first = Task {
                try await store.writer.write { try $0.execute("INSERT INTO items(n) VALUES (0)") }
                answered.add()
            }
            try await Self.waitUntil { disk.heldSyncs == 1 }
            var later: [Task<Void, any Error>] = []
            for n in 1...10 {
                later.append(
                    Task {
                        try await store.writer.write { try $0.execute("INSERT INTO items(n) VALUES (?)", .int(n)) }
                        answered.add()
                    })
                try await Task.sleep(for: .milliseconds(2))  // each alone would have been a batch of its own
            }
            try await Task.sleep(for: .milliseconds(50))
            #expect(answered.value == 0, "a job was answered before its fsync")
            #expect(try await store.scalar("SELECT count(*) FROM items") == "1", "jobs were committed while the sync ran")
            disk.holdSyncs(false)
            try await first.value
            for task in later { try await task.value }
            #expect(batches().map(\.jobs) == [1, 10])
            #expect(try await store.scalar("SELECT count(DISTINCT n) FROM items") == "11")
        }
    }

    @Test func aBatchGoesAheadOnceEnoughJobsWaitForASync() async throws {
        try await withSlowDisk { store, disk, batches in
            let first = Task { try await store.writer.write { try $0.execute("INSERT INTO items(n) VALUES (0)") } }
            try await Self.waitUntil { disk.heldSyncs == 1 }
            var later: [Task<Int, any Error>] = []
            for n in 1...40 {
                later.append(Task { try await store.writer.write { try $0.execute("INSERT INTO items(n) VALUES (?)", .int(n)) } })
                try await Task.sleep(for: .milliseconds(2))
            }
            // The first 32 to arrive are committed while the sync is still held; the rest wait for it.
            var visible = 0
            for _ in 0..<2000 where visible < 1 + Writer.batchWhileSyncing {
                visible = Int(try await store.scalar("SELECT count(*) FROM items") ?? "0") ?? 0
                try await Task.sleep(for: .milliseconds(1))
            }
            #expect(visible >= 1 + Writer.batchWhileSyncing && visible < 41, "\(visible) rows committed while the sync was held")
            disk.holdSyncs(false)
            _ = try await first.value
            for task in later { _ = try await task.value }
            let sizes = batches().map(\.jobs)
            #expect(sizes.count >= 3 && sizes[0] == 1 && sizes[1] >= Writer.batchWhileSyncing && sizes.reduce(0, +) == 41, "\(sizes)")
        }
    }

    @Test func closingAnswersTheJobsThatWaitForASync() async throws {
        try await withTemporaryDirectory { directory in
            let disk = try PowerCutDisk(directory: directory)
            let configuration = StoreConfiguration(path: directory + "/slow.sqlite", migrationsDirectory: migrationsDirectory)
            let store = try Store(configuration, clock: ManualClock(iso8601: "2026-11-25T10:00:00.000Z"))
            try await store.exec("CREATE TABLE items(n INTEGER) STRICT")
            disk.holdSyncs(true)
            let jobs = (0..<5).map { n in Task { try await store.writer.write { try $0.execute("INSERT INTO items(n) VALUES (?)", .int(n)) } } }
            try await Self.waitUntil { disk.heldSyncs == 1 }
            try await Task.sleep(for: .milliseconds(20))  // the jobs still to come wait behind the held sync
            // From a thread of its own: close() blocks this one, and the other test tasks may hold
            // every thread of the concurrency pool.
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { disk.holdSyncs(false) }
            store.close()
            for job in jobs { _ = try await job.value }
            let reopened = try Store(configuration, clock: ManualClock(iso8601: "2026-11-25T10:00:00.000Z"))
            defer { reopened.close() }
            #expect(try await reopened.scalar("SELECT count(*) FROM items") == "5")
            withExtendedLifetime(disk) {}
        }
    }

    /// A store on a power-cut disk whose syncs are held from the start of `body`, with a table `items`;
    /// `batches` reports the batches committed since.
    private func withSlowDisk(_ body: (Store, PowerCutDisk, _ batches: () -> [BatchReport]) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let disk = try PowerCutDisk(directory: directory)
            let log = BatchLog()
            let configuration = StoreConfiguration(path: directory + "/slow.sqlite", migrationsDirectory: migrationsDirectory)
            let store = try Store(configuration, clock: ManualClock(iso8601: "2026-11-25T10:00:00.000Z"), onBatch: { log.record($0) })
            defer {
                disk.holdSyncs(false)
                store.close()
            }
            try await store.exec("CREATE TABLE items(n INTEGER) STRICT")
            let setUp = log.all.count
            disk.holdSyncs(true)
            try await body(store, disk) { Array(log.all.dropFirst(setUp)) }
        }
    }

    private static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition(), "timed out waiting")
    }
}

/// How many jobs have been answered, counted from their tasks.
private final class AnswerCount: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

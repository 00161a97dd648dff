import DiallerStore
import Foundation
import Synchronization
import Testing

/// Collects batch reports from the writer's queue for assertions.
final class BatchLog: Sendable {
    private let reports = Mutex<[BatchReport]>([])
    func record(_ report: BatchReport) { reports.withLock { $0.append(report) } }
    var all: [BatchReport] { reports.withLock { $0 } }
}

@Suite struct WriterTests {
    @Test func concurrentJobsShareCommits() async throws {
        let log = BatchLog()
        try await withTemporaryStore(onBatch: { log.record($0) }) { store, _ in
            try await store.exec("CREATE TABLE items(n INTEGER) STRICT")
            let jobs = 400
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<jobs {
                    group.addTask { _ = try await store.writer.write { try $0.execute("INSERT INTO items(n) VALUES (?)", .int(n)) } }
                }
                try await group.waitForAll()
            }
            #expect(try await store.scalar("SELECT count(DISTINCT n) FROM items") == "\(jobs)")
            let batches = log.all.filter { $0.jobs > 0 }
            let jobBatches = batches.dropFirst()  // the table's creation
            #expect(jobBatches.reduce(0) { $0 + $1.jobs } == jobs)
            #expect(jobBatches.count < jobs / 4, "expected group commit, got \(jobBatches.count) commits for \(jobs) jobs")
        }
    }

    @Test func maxBatchOfOneCommitsEachJobAlone() async throws {
        let log = BatchLog()
        try await withTemporaryStore(configure: { $0.maxBatch = 1 }, onBatch: { log.record($0) }) { store, _ in
            try await store.exec("CREATE TABLE items(n INTEGER) STRICT")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<50 {
                    group.addTask { _ = try await store.writer.write { try $0.execute("INSERT INTO items(n) VALUES (?)", .int(n)) } }
                }
                try await group.waitForAll()
            }
            #expect(log.all.allSatisfy { $0.jobs == 1 })
            #expect(log.all.count == 51)
        }
    }

    /// A job that wrote and then threw leaves nothing, whether it shared its batch (the batch runs
    /// again, a savepoint per job) or was alone in it (the transaction is rolled back).
    @Test(arguments: [512, 1])
    func failingJobRollsBackAlone(maxBatch: Int) async throws {
        let log = BatchLog()
        try await withTemporaryStore(configure: { $0.maxBatch = maxBatch }, onBatch: { log.record($0) }) { store, _ in
            try await store.exec("CREATE TABLE items(n INTEGER UNIQUE) STRICT")
            struct Deliberate: Error {}
            let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for n in 0..<60 {
                    group.addTask {
                        do {
                            try await store.writer.write { connection in
                                try connection.execute("INSERT INTO items(n) VALUES (?)", .int(n))
                                if n % 3 == 0 { throw Deliberate() }
                            }
                            return (n, true)
                        } catch is Deliberate {
                            return (n, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(results.values.filter { !$0 }.count == 20)
            let stored = try await store.read { try $0.query("SELECT n FROM items ORDER BY n") { $0.int(0) } }
            #expect(stored == (0..<60).filter { $0 % 3 != 0 })
            // With room for many, failing jobs must have shared batches with others.
            #expect(maxBatch == 1 || log.all.contains { $0.jobs > 1 })
        }
    }

    @Test func callerResumesOnlyAfterCommit() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("CREATE TABLE items(n INTEGER) STRICT")
            let path = store.configuration.path
            // Inside the job, another connection must not see the row yet; right after the caller
            // resumes, a brand-new connection must.
            let seenInside = try await store.writer.write { connection -> Int in
                try connection.execute("INSERT INTO items(n) VALUES (1)")
                let other = try Connection(path: path, readOnly: true)
                return try other.queryFirst("SELECT count(*) FROM items") { $0.int(0) }!
            }
            #expect(seenInside == 0)
            let other = try Connection(path: path, readOnly: true)
            #expect(try other.queryFirst("SELECT count(*) FROM items") { $0.int(0) } == 1)
        }
    }

    @Test func readersSeeCommittedDataWhileTheWriterWorks() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("CREATE TABLE items(n INTEGER) STRICT; INSERT INTO items VALUES (1);")
            let reader = try Connection(path: store.configuration.path, readOnly: true)
            try reader.execute(script: "BEGIN")
            #expect(try reader.queryFirst("SELECT count(*) FROM items") { $0.int(0) } == 1)
            // A long read transaction does not block the writer…
            for n in 2...50 { try await store.writer.write { try $0.execute("INSERT INTO items VALUES (?)", .int(n)) } }
            // …and keeps its snapshot, while a new read sees every commit.
            #expect(try reader.queryFirst("SELECT count(*) FROM items") { $0.int(0) } == 1)
            try reader.execute(script: "COMMIT")
            #expect(try await store.scalar("SELECT count(*) FROM items") == "50")
        }
    }

    @Test func writerReportsBusyWhenAnotherProcessHoldsTheLock() async throws {
        try await withTemporaryStore(configure: { $0.busyTimeoutMilliseconds = 100 }) { store, _ in
            let intruder = try Connection(path: store.configuration.path)
            try intruder.execute(script: "BEGIN IMMEDIATE")
            let error = await #expect(throws: SQLiteError.self) { try await store.writer.write { _ in } }
            #expect(error?.isBusy == true)
            try intruder.execute(script: "ROLLBACK")
            try await store.writer.write { _ in }
        }
    }
}

import CSQLite
import Dispatch
import Foundation
import Synchronization

/// The single read-write connection, owned by one serial queue, with group commit.
///
/// Jobs that arrive while a batch is being committed wait and form the next batch: one
/// `BEGIN IMMEDIATE`, the jobs, one `COMMIT`, one fsync of the WAL, and only then are the callers
/// resumed. That turns fsync latency into throughput: see sqlite.org/wal.html. With a `syncer`
/// (group commit on) the fsync is pipelined: `COMMIT` does not sync (`synchronous=NORMAL`), the
/// `WALSyncer` thread syncs the WAL and resumes the batch's callers, and the jobs that arrive
/// meanwhile wait for that fsync to end (or until 32 have gathered) and are committed as one batch.
/// Without one (`maxBatch` 1) each `COMMIT` syncs itself (`synchronous=FULL`).
/// A job that throws leaves no trace: the batch is run again with each job in its own `SAVEPOINT`.
public final class Writer: Sendable {
    /// The serial queue that owns the connection; the promotion timer fires on it too.
    public let queue: DispatchQueue
    /// Most jobs committed together; 1 turns group commit off (a benchmark baseline).
    public let maxBatch: Int
    /// Called after every batch, once its fate is known: on the writer queue, or on the WAL-sync
    /// thread for a batch that committed and waited for its sync.
    private let onBatch: (@Sendable (BatchReport) -> Void)?
    private let state: Mutex<PendingJobs>
    /// Touched only on `queue` (and its WAL file by `syncer`); `nonisolated(unsafe)` because that
    /// confinement is what the queue guarantees.
    nonisolated(unsafe) private let connection: Connection
    /// Syncs committed batches' WAL frames off the writer's thread; nil when each `COMMIT` syncs itself.
    private let syncer: WALSyncer?

    /// Jobs waiting for the next batch, guarded by `state`'s lock because any thread submits.
    private struct PendingJobs {
        var jobs: [WriterJob] = []
        var drainScheduled = false
        var closed = false
    }

    /// `pipelined`: the connection commits with `synchronous=NORMAL` and the writer syncs the WAL
    /// itself, off its thread, before resuming anyone.
    init(connection: Connection, maxBatch: Int, pipelined: Bool, onBatch: (@Sendable (BatchReport) -> Void)? = nil) throws {
        self.connection = connection
        self.maxBatch = max(1, maxBatch)
        self.onBatch = onBatch
        let queue = DispatchQueue(label: "dialler.writer", qos: .userInitiated)
        self.queue = queue
        self.state = Mutex(PendingJobs())
        if pipelined {
            // The first sync of the WAL also syncs its directory (and clears the unix VFS's flag
            // for it): made here, before any other thread can sync the same file.
            guard let log = connection.writeAheadLog() else { throw StoreError.walSyncFailed(code: SQLITE_MISUSE) }
            let code = log.sync()
            if code != SQLITE_OK { throw StoreError.walSyncFailed(code: code) }
            // `nonisolated(unsafe)`: the closure touches the connection only on `queue`, its owner.
            nonisolated(unsafe) let stopping = connection
            syncer = WALSyncer(onFailure: { queue.async { stopping.stopWriting() } })
        } else {
            syncer = nil
        }
    }

    /// Set once a WAL sync has failed: the store then takes no writes until it is reopened.
    public var durabilityFailure: StoreError? { syncer?.failure }

    /// Runs `work` in the next batch and returns its result once that batch has committed. If
    /// `work` throws, none of its writes are kept, and the other jobs' writes are.
    @discardableResult
    public func write<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit(WriterJob(work, continuation: continuation), failingWith: continuation)
        }
    }

    /// Runs `work` synchronously; the caller must already be on `queue` (the promotion timer is).
    public func onQueue<T>(_ work: (Connection) throws -> T) rethrows -> T {
        dispatchPrecondition(condition: .onQueue(queue))
        return try work(connection)
    }

    /// Refuses new jobs; jobs already submitted still run.
    func close() {
        let drain = state.withLock { state -> Bool in
            state.closed = true
            return scheduleDrainIfReady(&state)
        }
        if drain { queue.async { self.drainOneBatch() } }
    }

    /// Blocks until every committed batch has been synced and its callers answered.
    func waitForSyncs() {
        syncer?.waitUntilIdle()
    }

    private func submit<T>(_ job: WriterJob, failingWith continuation: CheckedContinuation<T, any Error>) {
        let decision = state.withLock { state -> (accepted: Bool, schedule: Bool) in
            if state.closed { return (false, false) }
            state.jobs.append(job)
            return (true, scheduleDrainIfReady(&state))
        }
        if !decision.accepted {
            continuation.resume(throwing: StoreError.closed)
        } else if decision.schedule {
            queue.async { self.drainOneBatch() }
        }
    }

    /// Commits one batch, then yields the queue (so the promotion timer can interleave) before the next.
    private func drainOneBatch() {
        let batch = state.withLock { state -> [WriterJob] in
            if state.jobs.count <= maxBatch {
                defer { state.jobs = [] }
                return state.jobs
            }
            let batch = Array(state.jobs.prefix(maxBatch))
            state.jobs.removeFirst(maxBatch)
            return batch
        }
        if let failure = syncer?.failure {
            // Nothing written since the failed sync is known to be on disk: write nothing more.
            for job in batch { job.finish(failure) }
        } else if !batch.isEmpty {
            commit(batch)
        }
        let more = state.withLock { state -> Bool in
            state.drainScheduled = false
            return scheduleDrainIfReady(&state)
        }
        if more { queue.async { self.drainOneBatch() } }
    }

    /// Marks a drain scheduled, and answers true (the caller then schedules it), when jobs wait and
    /// none is: at once without a sync running, otherwise once `batchWhileSyncing` jobs wait or
    /// the sync ends.
    ///
    /// While an fsync runs, a batch committed now would wait for the next fsync anyway, which
    /// starts only when this one ends; committing the jobs that arrive meanwhile as one batch then
    /// costs one transaction, one set of WAL pages and one wake-up instead of several.
    private func scheduleDrainIfReady(_ state: inout PendingJobs) -> Bool {
        guard !state.drainScheduled, !state.jobs.isEmpty else { return false }
        if !state.closed, state.jobs.count < min(maxBatch, Self.batchWhileSyncing), let syncer,
            syncer.isSyncing(whenIdle: { [weak self] in self?.syncEnded() })
        {
            return false
        }
        state.drainScheduled = true
        return true
    }

    /// While a sync runs, jobs wait for it to end until this many have gathered. Their SQL then
    /// runs before their own sync can start, so waiting for every arrival (up to `maxBatch`)
    /// raised p99 at 64 connections by about a tenth; at 32 it stayed within noise of not
    /// waiting at all while keeping most of the throughput (Benchmarks/intake, docs/operations.md).
    public static let batchWhileSyncing = 32

    /// The sync thread ran out of batches: drains the jobs that waited for it.
    private func syncEnded() {
        if state.withLock({ scheduleDrainIfReady(&$0) }) { queue.async { self.drainOneBatch() } }
    }

    private func commit(_ batch: [WriterJob]) {
        let started = DispatchTime.now().uptimeNanoseconds
        var failure: (any Error)?
        do {
            if try !runTogether(batch) {
                try runInSavepoints(batch)
            }
        } catch {
            failure = error
            if !connection.isAutocommit { try? connection.execute(script: "ROLLBACK") }
        }
        if failure == nil, let syncer {
            // Committed, not yet durable: the callers wait for an fsync of the WAL that starts
            // after this COMMIT. The next batch's SQL runs meanwhile.
            let onBatch = self.onBatch
            let committed = WALSyncer.CommittedBatch(jobs: batch, started: started) { onBatch?($0) }
            if let log = connection.writeAheadLog() {
                syncer.sync(committed, in: log)
            } else {
                syncer.fail(committed, because: StoreError.walSyncFailed(code: SQLITE_MISUSE))
            }
            return
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        // Reported before anyone resumes, as the WAL-sync thread does, so a caller that looks at
        // the reports sees its own batch.
        onBatch?(BatchReport(jobs: batch.count, seconds: seconds, committed: failure == nil))
        // Nothing in a failed batch was written, so every caller in it gets the batch's error.
        for job in batch { job.finish(failure) }
    }

    /// The fast path: every job in one transaction with nothing around each. A savepoint per job
    /// costs two statements and a copy of every page the job touches (measured: a quarter of the
    /// writer's time per lead), and jobs almost never fail. Answers false, having rolled back, when
    /// a job failed while sharing the batch with others: its partial writes cannot be undone alone.
    private func runTogether(_ batch: [WriterJob]) throws -> Bool {
        try connection.execute("BEGIN IMMEDIATE")
        for job in batch {
            let succeeded = job.run(connection)
            // A severe error (disk full, I/O) makes SQLite roll the whole transaction back by itself.
            if connection.isAutocommit { throw StoreError.transactionAborted }
            if !succeeded {
                try connection.execute("ROLLBACK")
                // Alone, the job's own error is the whole answer; `finish` hands it to its caller.
                return batch.count == 1
            }
        }
        try connection.execute("COMMIT")
        return true
    }

    /// The careful path, after a job failed: the whole batch again, each job in its own savepoint,
    /// so a failing job's writes are undone and the others' are kept.
    private func runInSavepoints(_ batch: [WriterJob]) throws {
        try connection.execute("BEGIN IMMEDIATE")
        for job in batch {
            try connection.execute("SAVEPOINT job")
            let succeeded = job.run(connection)
            if connection.isAutocommit { throw StoreError.transactionAborted }
            if !succeeded { try connection.execute("ROLLBACK TO job") }
            try connection.execute("RELEASE job")
        }
        try connection.execute("COMMIT")
    }
}

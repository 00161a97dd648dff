import CSQLite
import Dispatch
import Synchronization

/// Makes committed batches durable on a thread of its own, so the writer runs the next batch's SQL
/// while this one's WAL frames go to disk (pipelined group commit).
///
/// The writer commits with `synchronous=NORMAL` (no fsync in `COMMIT`) and hands each committed
/// batch here; one fsync of the WAL then covers every batch committed before it began, and only
/// after it returns are those batches' callers resumed. SQLite's own syncs stay where they were:
/// a checkpoint syncs the WAL before copying it and the database after, and the WAL is restarted
/// only once a checkpoint copied all of it, so frames a restart overwrites are already durable in
/// the database file. A failed fsync fails every batch waiting and every batch after it: after
/// fsyncgate (the kernel may drop the pages whose write-back failed and report success next time),
/// nothing written since can be trusted until the store is reopened.
final class WALSyncer: Sendable {
    private let queue = DispatchQueue(label: "dialler.wal-sync", qos: .userInitiated)
    /// Called once, on the sync thread, when a sync fails: the writer stops writing.
    private let onFailure: @Sendable () -> Void
    /// Batches waiting for a sync and whether one is running; any batch's commit and the sync
    /// thread both touch it, hence the lock.
    private let state = Mutex(State())

    private struct State {
        var waiting: [CommittedBatch] = []
        var syncing = false
        var failure: StoreError?
        /// Told, once, when the sync thread next runs out of batches to sync.
        var whenIdle: (@Sendable () -> Void)?
    }

    /// A batch whose `COMMIT` returned; its callers wait for the sync.
    struct CommittedBatch: Sendable {
        let jobs: [WriterJob]
        let started: UInt64
        let report: @Sendable (BatchReport) -> Void
    }

    init(onFailure: @escaping @Sendable () -> Void) {
        self.onFailure = onFailure
    }

    /// The failure that stopped the store taking writes, once a sync has failed.
    var failure: StoreError? { state.withLock { $0.failure } }

    /// Whether an fsync is running or batches wait for one; when true, `whenIdle` runs once it is not.
    func isSyncing(whenIdle: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            guard state.syncing, state.failure == nil else { return false }
            state.whenIdle = whenIdle
            return true
        }
    }

    /// Resumes `batch`'s callers once an fsync of `log` begun after this call has returned.
    func sync(_ batch: CommittedBatch, in log: WriteAheadLogFile) {
        let decision = state.withLock { state -> (failure: StoreError?, start: Bool) in
            if let failure = state.failure { return (failure, false) }
            state.waiting.append(batch)
            if state.syncing { return (nil, false) }
            state.syncing = true
            return (nil, true)
        }
        if let failure = decision.failure {
            Self.finish([batch], failure: failure)
        } else if decision.start {
            queue.async { self.syncWaiting(in: log) }
        }
    }

    /// Fails `batch` (committed, but with no WAL to sync) and stops the store taking writes.
    func fail(_ batch: CommittedBatch, because failure: StoreError) {
        let first = state.withLock { state -> Bool in
            defer { if state.failure == nil { state.failure = failure } }
            return state.failure == nil
        }
        if first { onFailure() }
        Self.finish([batch], failure: self.failure ?? failure)
    }

    /// Blocks until every batch handed over so far has its answer.
    func waitUntilIdle() {
        queue.sync {}
    }

    private func syncWaiting(in log: WriteAheadLogFile) {
        while true {
            let (batches, earlier, idle) = state.withLock { state -> ([CommittedBatch], StoreError?, (@Sendable () -> Void)?) in
                defer { state.waiting = [] }
                var idle: (@Sendable () -> Void)?
                if state.waiting.isEmpty {
                    state.syncing = false
                    idle = state.whenIdle
                    state.whenIdle = nil
                }
                return (state.waiting, state.failure, idle)
            }
            if batches.isEmpty {
                // Outside the lock: the writer takes its own lock, and asks this one, to act on it.
                idle?()
                return
            }
            // Once a sync has failed, a later one that succeeds proves nothing (fsyncgate).
            var failure = earlier
            if failure == nil {
                let code = log.sync()
                if code != SQLITE_OK {
                    failure = StoreError.walSyncFailed(code: code)
                    state.withLock { $0.failure = failure }
                    onFailure()
                }
            }
            Self.finish(batches, failure: failure)
        }
    }

    private static func finish(_ batches: [CommittedBatch], failure: StoreError?) {
        let finished = DispatchTime.now().uptimeNanoseconds
        for batch in batches {
            // Reported before anyone resumes, so a caller that looks at the reports sees its own batch.
            batch.report(
                BatchReport(
                    jobs: batch.jobs.count, seconds: Double(finished - batch.started) / 1e9,
                    committed: failure == nil))
            for job in batch.jobs { job.finish(failure) }
        }
    }
}

import Dispatch
import Logging
import ServiceLifecycle
import Synchronization

/// What one promotion tick did.
public struct PromotionReport: Sendable, Equatable {
    public var promoted = 0
    public var requeued = 0
    public init(promoted: Int = 0, requeued: Int = 0) {
        self.promoted = promoted
        self.requeued = requeued
    }
}

/// The Dispatch-timer worker that does the store's periodic chores: it moves due calls into the
/// call queue, returns calls whose lease expired, erases leads past retention and purges expired
/// Idempotency-Key records. Its timer fires on the writer's queue, so promotion and intake share one writer
/// and never race; each chunk is its own transaction, so intake never waits behind a large promotion.
public final class HousekeepingWorker: Service, Sendable {
    private let store: Store
    private let interval: Double
    private let logger: Logger
    private let onTick: (@Sendable (PromotionReport, Timestamp) -> Void)?
    /// When the last tick finished, read by readiness checks from other threads.
    private let lastTick = Mutex<Timestamp?>(nil)
    /// Whether a chain of chunks is queued on the writer; touched only on the writer's queue, where
    /// the timer fires, so the queue's serial order is its lock.
    nonisolated(unsafe) private var chainQueued = false
    /// Where the next retention chunk starts, and when the next pass may begin; touched only on
    /// the writer's queue, like `chainQueued`.
    nonisolated(unsafe) private var retentionCursor: Int64 = 0
    nonisolated(unsafe) private var retentionResumesAt: Int64 = 0

    public init(
        store: Store, interval seconds: Double, logger: Logger,
        onTick: (@Sendable (PromotionReport, Timestamp) -> Void)? = nil
    ) {
        self.store = store
        self.interval = seconds
        self.logger = logger
        self.onTick = onTick
    }

    /// When a tick last completed, if ever.
    public var lastTickAt: Timestamp? { lastTick.withLock { $0 } }

    public func run() async throws {
        let timer = DispatchSource.makeTimerSource(queue: store.writer.queue)
        timer.schedule(deadline: .now(), repeating: .nanoseconds(Int(interval * 1e9)), leeway: .milliseconds(10))
        timer.setEventHandler { [self] in self.tick() }
        timer.resume()
        logger.info("promotion worker started", metadata: ["every_seconds": "\(interval)"])
        // Wait for shutdown (or cancellation), then stop the timer before the store closes.
        try? await gracefulShutdown()
        timer.cancel()
        store.writer.queue.sync {}
        logger.info("promotion worker stopped")
    }

    /// Promotes every due call and requeues expired leases now, chunk by chunk, on the writer
    /// queue. For tests and the `promote` command; the timer does the same on its own.
    @discardableResult
    public func promoteNow() async -> PromotionReport {
        await withCheckedContinuation { continuation in
            store.writer.queue.async {
                var total = PromotionReport()
                while true {
                    let report = self.promoteChunk()
                    total.promoted += report.promoted
                    total.requeued += report.requeued
                    if report.promoted < self.store.configuration.promotionChunk { break }
                }
                continuation.resume(returning: total)
            }
        }
    }

    /// One timer tick: a chunk now and, if it was full, the next chunk queued behind waiting intake.
    /// A tick that finds a chain already queued leaves it to finish: chains must not pile up.
    private func tick() {
        retentionChunk()
        idempotencyPurgeChunk()
        guard !chainQueued else { return }
        continueChain()
    }

    /// One bounded chunk of the retention limit, its own transaction, when one is set and due.
    @discardableResult
    func retentionChunk() -> RetentionReport {
        guard let days = store.configuration.retentionDays else { return RetentionReport() }
        let now = store.clock.now()
        guard now.milliseconds >= retentionResumesAt else { return RetentionReport() }
        let cutoff = now.adding(seconds: -days * 86_400)
        do {
            let (report, next) = try store.writer.onQueue { connection in
                try connection.inTransaction {
                    try connection.eraseExpiredLeads(
                        before: cutoff, after: retentionCursor,
                        window: store.configuration.retentionWindow, at: now)
                }
            }
            if let next {
                retentionCursor = next
            } else {
                retentionCursor = 0
                retentionResumesAt = now.adding(seconds: store.configuration.retentionPauseSeconds).milliseconds
            }
            if report.leadsErased > 0 {
                logger.info("retention erased leads", metadata: ["leads": "\(report.leadsErased)", "contacts": "\(report.contactsErased)"])
            }
            return report
        } catch {
            logger.error("retention failed", metadata: ["error": "\(error)"])
            return RetentionReport()
        }
    }

    /// Runs retention chunks until a pass reaches the recent leads; for tests and operators.
    public func retainNow() async -> RetentionReport {
        await withCheckedContinuation { continuation in
            store.writer.queue.async {
                self.retentionResumesAt = 0
                var total = RetentionReport()
                repeat {
                    let report = self.retentionChunk()
                    total.leadsErased += report.leadsErased
                    total.contactsErased += report.contactsErased
                } while self.retentionCursor != 0
                continuation.resume(returning: total)
            }
        }
    }

    /// One bounded chunk of expired Idempotency-Key records deleted, its own transaction; answers how many.
    @discardableResult
    func idempotencyPurgeChunk() -> Int {
        let cutoff = store.idempotencyCutoff(at: store.clock.now())
        let chunk = store.configuration.idempotencyPurgeChunk
        do {
            return try store.writer.onQueue { connection in
                try connection.inTransaction { try connection.purgeIdempotencyKeys(before: cutoff, limit: chunk) }
            }
        } catch {
            logger.error("idempotency purge failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// Purges every expired Idempotency-Key record now, chunk by chunk; for tests and operators.
    public func purgeIdempotencyKeysNow() async -> Int {
        await withCheckedContinuation { continuation in
            store.writer.queue.async {
                var total = 0
                while true {
                    let purged = self.idempotencyPurgeChunk()
                    total += purged
                    if purged < self.store.configuration.idempotencyPurgeChunk { break }
                }
                continuation.resume(returning: total)
            }
        }
    }

    private func continueChain() {
        let report = promoteChunk()
        chainQueued = report.promoted == store.configuration.promotionChunk
        if chainQueued {
            store.writer.queue.async { [self] in self.continueChain() }
        }
    }

    private func promoteChunk() -> PromotionReport {
        let now = store.clock.now()
        let chunk = store.configuration.promotionChunk
        do {
            let report = try store.writer.onQueue { connection in
                try connection.inTransaction {
                    PromotionReport(
                        promoted: try connection.promoteDueCalls(limit: chunk, at: now),
                        requeued: try connection.requeueExpiredLeases(limit: chunk, at: now))
                }
            }
            lastTick.withLock { $0 = now }
            onTick?(report, now)
            if report.promoted > 0 || report.requeued > 0 {
                logger.debug("promoted due calls", metadata: ["promoted": "\(report.promoted)", "requeued": "\(report.requeued)"])
            }
            return report
        } catch {
            logger.error("promotion failed", metadata: ["error": "\(error)"])
            return PromotionReport()
        }
    }
}

import CoreMetrics
import DiallerStore
import Foundation
import Prometheus
import Synchronization

/// Every metric the service exports, through swift-metrics into one Prometheus registry per
/// server (not the global bootstrap, so several servers in one test process stay apart).
final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let requestHandles = HandleCache<RequestKey, RequestHandles>()
    private let leadCounters = HandleCache<LeadKey, CoreMetrics.Counter>()

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            "dialler_http_request_duration_seconds": [1, 2.5, 5, 10, 25, 50, 100, 250, 1000].map { .microseconds(Int64($0 * 1000)) },
            "dialler_writer_commit_seconds": [1, 2.5, 5, 10, 25, 50, 100, 250, 1000].map { .microseconds(Int64($0 * 1000)) },
        ]
        factory.valueHistogramBuckets = [
            "dialler_writer_batch_jobs": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
            // Speed-to-lead: contact odds fall steeply over the first minutes, so the buckets are dense there.
            "dialler_first_claim_delay_seconds": [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 14400, 86400],
        ]
        self.factory = factory
    }

    func recordRequest(route: String, status: Int, seconds: Double) {
        let handles = requestHandles.handle(RequestKey(route: route, status: status)) {
            RequestHandles(
                count: CoreMetrics.Counter(
                    label: "dialler_http_requests_total",
                    dimensions: [("route", route), ("status", String(status))], factory: factory),
                duration: CoreMetrics.Timer(
                    label: "dialler_http_request_duration_seconds",
                    dimensions: [("route", route)], factory: factory))
        }
        handles.count.increment()
        handles.duration.recordNanoseconds(Int64(seconds * 1e9))
    }

    func leadReceived(partner: String, type: String, outcome: String) {
        leadCounters.handle(LeadKey(partner: partner, type: type, outcome: outcome)) {
            CoreMetrics.Counter(
                label: "dialler_leads_total",
                dimensions: [("partner", partner), ("type", type), ("outcome", outcome)], factory: factory)
        }.increment()
    }

    func cancelAnswered(outcome: String) {
        Counter(label: "dialler_cancels_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    func validationFailed(fields: [String]) {
        for field in fields {
            Counter(label: "dialler_validation_failures_total", dimensions: [("field", field)], factory: factory).increment()
        }
    }

    func rateLimited(caller: String) {
        Counter(label: "dialler_rate_limited_total", dimensions: [("caller", caller)], factory: factory).increment()
    }

    func callClaimed(callGroup: String) {
        Counter(label: "dialler_calls_claimed_total", dimensions: [("call_group", callGroup)], factory: factory).increment()
    }

    /// A call group's queue entered a pause (`abandon_rate`: the abandoned-call guard).
    func queuePaused(callGroup: String, reason: String) {
        Counter(label: "dialler_queue_paused_total", dimensions: [("call_group", callGroup), ("reason", reason)], factory: factory).increment()
    }

    /// Each call group's abandoned-call rate over the last 24 hours, in percent.
    func update(from rates: [AbandonRate]) {
        for rate in rates {
            Gauge(label: "dialler_abandon_rate_percent", dimensions: [("call_group", rate.callGroup)], factory: factory).record(rate.percent)
        }
    }

    /// Seconds from a call's due time to its first claim (speed-to-lead), by call group.
    func firstClaimed(callGroup: String, delaySeconds: Double) {
        Recorder(label: "dialler_first_claim_delay_seconds", dimensions: [("call_group", callGroup)], factory: factory)
            .record(delaySeconds)
    }

    /// A lead answered `Do Not Call`, by the list that holds its number.
    func leadSuppressed(list: String) {
        Counter(label: "dialler_leads_suppressed_total", dimensions: [("list", list)], factory: factory).increment()
    }

    /// Calls this server cancelled because their number was suppressed (imports run by the CLI
    /// count in its own output and in `calls_report`).
    func callsCancelledBySuppression(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: "dialler_calls_cancelled_suppressed_total", factory: factory).increment(by: count)
    }

    /// Queued calls a claim passed over, by the rule that held them.
    func callsHeld(_ rules: [HoldRule]) {
        for rule in rules {
            Counter(label: "dialler_calls_held_total", dimensions: [("rule", rule.rawValue)], factory: factory).increment()
        }
    }

    /// Seconds since each loaded list's last import, for the 28-day TPS re-screening alert.
    func update(from lists: [SuppressionList], now: Timestamp) {
        for list in lists {
            guard let loaded = list.loadedAt else { continue }
            Gauge(label: "dialler_suppression_list_age_seconds", dimensions: [("list", list.name)], factory: factory)
                .record(Double(now.milliseconds - loaded.milliseconds) / 1000)
            Gauge(label: "dialler_suppression_list_numbers", dimensions: [("list", list.name)], factory: factory).record(list.numbers)
        }
    }

    func batchCommitted(_ report: BatchReport) {
        Recorder(label: "dialler_writer_batch_jobs", factory: factory).record(report.jobs)
        CoreMetrics.Timer(label: "dialler_writer_commit_seconds", factory: factory).recordNanoseconds(Int64(report.seconds * 1e9))
        if !report.committed {
            Counter(label: "dialler_writer_failed_batches_total", factory: factory).increment()
        }
    }

    func promotionTicked(_ report: PromotionReport) {
        Counter(label: "dialler_calls_promoted_total", factory: factory).increment(by: report.promoted)
        Counter(label: "dialler_leases_expired_total", factory: factory).increment(by: report.requeued)
        Counter(label: "dialler_promotion_ticks_total", factory: factory).increment()
    }

    /// Sets the gauges read from the database at scrape time.
    func update(from snapshot: QueueSnapshot) {
        Gauge(label: "dialler_promotion_lag_seconds", factory: factory).record(snapshot.promotionLagSeconds)
        for group in snapshot.groups {
            Gauge(label: "dialler_queue_depth", dimensions: [("call_group", group.name)], factory: factory).record(group.queued)
            Gauge(label: "dialler_calls_dialling", dimensions: [("call_group", group.name)], factory: factory).record(group.dialling)
            Gauge(label: "dialler_calls_waiting", dimensions: [("call_group", group.name)], factory: factory).record(group.waiting)
        }
    }

    /// One webhook attempt's result, by partner: `delivered`, `retried` or `failed` (out of retries).
    func webhookAttempted(partner: String, result: DeliveryAttemptResult) {
        let name =
            switch result {
            case .delivered: "delivered"
            case .retry: "retried"
            case .failed: "failed"
            }
        Counter(label: "dialler_webhook_deliveries_total", dimensions: [("partner", partner), ("result", name)], factory: factory).increment()
    }

    /// The outbox's backlog: events waiting, events failed, and the age of the oldest waiting one.
    func update(from backlog: OutboxBacklog, now: Timestamp) {
        Gauge(label: "dialler_webhook_outbox_pending", factory: factory).record(backlog.pending)
        Gauge(label: "dialler_webhook_outbox_failed", factory: factory).record(backlog.failed)
        let age = backlog.oldestPendingCreatedAt.map { Double(now.milliseconds - $0.milliseconds) / 1000 } ?? 0
        Gauge(label: "dialler_webhook_outbox_oldest_pending_seconds", factory: factory).record(max(0, age))
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// Metric handles already made, by their dimension values: making one goes through the registry's
/// lock and name checks, which cost more than the request it counts.
private final class HandleCache<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    /// Shared by every request and the writer's queue.
    private let handles = Mutex<[Key: Handle]>([:])

    func handle(_ key: Key, make: () -> Handle) -> Handle {
        if let existing = handles.withLock({ $0[key] }) { return existing }
        let made = make()
        return handles.withLock { handles in
            if let existing = handles[key] { return existing }
            handles[key] = made
            return made
        }
    }
}

/// One route's answers with one status, and its latency.
private struct RequestKey: Hashable, Sendable {
    let route: String
    let status: Int
}

private struct RequestHandles: Sendable {
    let count: CoreMetrics.Counter
    let duration: CoreMetrics.Timer
}

/// One partner's leads of one type with one outcome.
private struct LeadKey: Hashable, Sendable {
    let partner: String
    let type: String
    let outcome: String
}

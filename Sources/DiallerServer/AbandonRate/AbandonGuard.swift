import DiallerStore
import Logging
import Synchronization

/// The abandoned-call guard of `/queue/next`: a call group whose rolling 24-hour rate is at or over
/// the limit, on at least `minLive` live calls, is handed no calls until the rate falls again.
/// Reads the store's in-memory counters only, so a claim costs no SQL for it.
final class AbandonGuard: Sendable {
    /// Whether a group may be handed calls now, and its rate.
    enum Decision: Equatable {
        case open(AbandonRate)
        /// Paused; ask again after `retryAfter` seconds.
        case paused(AbandonRate, retryAfter: Int)
    }

    let store: Store
    /// Percent; nil turns the guard off.
    let limit: Double?
    let minLive: Int
    let metrics: ServiceMetrics
    let logger: Logger
    /// The groups paused now, so that entering and leaving a pause is logged and counted once each;
    /// claims and results on any task consult it.
    private let paused = Mutex<Set<String>>([])

    /// Longest Retry-After: new connected results can lift a pause before old abandons leave the window.
    static let maxRetryAfter = 60

    init(store: Store, limit: Double?, minLive: Int, metrics: ServiceMetrics, logger: Logger) {
        self.store = store
        self.limit = limit
        self.minLive = minLive
        self.metrics = metrics
        self.logger = logger
    }

    /// The group's decision now; notes a change of pause.
    func check(callGroup: String) -> Decision {
        let rate = store.abandonRate(callGroup: callGroup)
        guard let limit, rate.reaches(limit: limit, minLive: minLive) else {
            note(rate, paused: false)
            return .open(rate)
        }
        note(rate, paused: true)
        let wait = store.secondsUntilAbandonRateBelow(callGroup: callGroup, limit: limit, minLive: minLive) ?? Self.maxRetryAfter
        return .paused(rate, retryAfter: min(Self.maxRetryAfter, max(1, wait)))
    }

    /// The groups paused now, for a claim from any group (groups without live calls are never paused).
    func pausedGroups() -> Set<String> {
        guard limit != nil else { return [] }
        return Set(
            store.allAbandonRates().compactMap { rate in
                if case .paused = check(callGroup: rate.callGroup) { rate.callGroup } else { nil }
            })
    }

    private func note(_ rate: AbandonRate, paused isPaused: Bool) {
        let changed = paused.withLock { groups in
            isPaused ? groups.insert(rate.callGroup).inserted : groups.remove(rate.callGroup) != nil
        }
        guard changed else { return }
        let metadata: Logger.Metadata = [
            "call_group": .string(rate.callGroup), "rate": .string(Self.format(rate.percent)),
            "limit": .string(Self.format(limit ?? 0)), "live_calls": .stringConvertible(rate.live),
            "abandoned": .stringConvertible(rate.abandoned),
        ]
        if isPaused {
            metrics.queuePaused(callGroup: rate.callGroup, reason: "abandon_rate")
            logger.warning("queue paused: abandoned-call rate at or over the limit", metadata: metadata)
        } else {
            logger.notice("queue resumed: abandoned-call rate below the limit", metadata: metadata)
        }
    }

    /// A percentage as JSON and headers show it: rounded to two places, `3.4`, `0.0`.
    static func format(_ percent: Double) -> String {
        ((percent * 100).rounded() / 100).description
    }
}

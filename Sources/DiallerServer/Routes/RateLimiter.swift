import Foundation
import Synchronization

/// A token bucket per key: `burst` requests at once, refilled at `perSecond`.
final class RateLimiter: Sendable {
    private let perSecond: Double
    private let burst: Double
    /// Buckets by key id, shared by every event loop.
    private let buckets = Mutex<[Int64: Bucket]>([:])

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = Double(max(1, burst))
    }

    /// Takes a token; answers nil when allowed, or the whole seconds to wait for the next token.
    func acquire(keyID: Int64, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            var bucket = buckets[keyID] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * perSecond)
            bucket.updated = now
            defer { buckets[keyID] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
        }
    }
}

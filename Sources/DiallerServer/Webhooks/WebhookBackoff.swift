/// Exponential back-off with jitter between delivery attempts: `base` after the first failure,
/// doubling each time, plus up to half again at random so that retries of many events spread out
/// instead of arriving together; never more than `maximum`.
struct WebhookBackoff: Sendable {
    var base: Double = 5
    var maximum: Double = 3_600

    /// Seconds to wait after the `attempt`-th failed attempt (1-based); `unit` in 0...1 is the jitter's draw.
    func delay(afterAttempt attempt: Int, unit: Double = Double.random(in: 0...1)) -> Double {
        var ceiling = base
        for _ in 1..<min(max(attempt, 1), 40) where ceiling < maximum { ceiling *= 2 }
        return min(maximum, ceiling * (1 + unit / 2))
    }
}

import Testing

@testable import DiallerServer

/// The token bucket's arithmetic at set instants: no real time passes.
@Suite struct RateLimiterTests {
    @Test func aBurstIsAllowedThenTheWaitIsTheWholeSecondsToTheNextToken() {
        let limiter = RateLimiter(perSecond: 0.5, burst: 2)
        let start = ContinuousClock.now
        #expect(limiter.acquire(keyID: 1, now: start) == nil)
        #expect(limiter.acquire(keyID: 1, now: start) == nil)
        #expect(limiter.acquire(keyID: 1, now: start) == 2)
        #expect(limiter.acquire(keyID: 1, now: start + .milliseconds(900)) == 2)  // 0.45 of a token back
        #expect(limiter.acquire(keyID: 1, now: start + .milliseconds(1_200)) == 1)  // 0.6 back
        #expect(limiter.acquire(keyID: 1, now: start + .milliseconds(2_500)) == nil)  // 1.25 back
        #expect(limiter.acquire(keyID: 2, now: start) == nil, "another key has its own bucket")
    }

    @Test func anIdleBucketRefillsOnlyToItsBurst() {
        let limiter = RateLimiter(perSecond: 10, burst: 3)
        let start = ContinuousClock.now
        #expect(limiter.acquire(keyID: 1, now: start) == nil)
        let later = start + .seconds(60)
        for _ in 0..<3 { #expect(limiter.acquire(keyID: 1, now: later) == nil) }
        #expect(limiter.acquire(keyID: 1, now: later) == 1)
    }
}
